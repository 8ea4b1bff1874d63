"""Score runs record the process publishing them: host name, pid and the process's start.

``shopstar runs prune`` and ``runs delete`` then tell a run still being published from one whose
publisher died (removable at once) instead of waiting a fixed grace. Nullable: runs published
before this revision have no publisher and keep the grace.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("publisher_host", sa.String(255)),
    ("publisher_pid", sa.Integer()),
    ("publisher_start", sa.String(64)),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("score_runs", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both (SQLite >= 3.35): no copy of score_runs, whose
    # deletion would cascade to every published row
    for name, _ in reversed(COLUMNS):
        op.drop_column("score_runs", name)
