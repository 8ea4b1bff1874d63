"""PostgreSQL: the four result tables are list-partitioned by run_id, one partition per run.

Publishing loads a run's rows into a fresh table of their own and attaches it as a partition:
PostgreSQL then builds the primary key in one sorted pass and checks the foreign key to
``score_runs`` with one query, instead of both row by row during the COPY (the per-row foreign-key
check alone was ~45% of the load). Existing rows move into one partition per run; a downgrade
moves them back into plain tables. SQLite is unchanged (it has no partitions).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("creator_category_metrics", "creator_category_scores", "rising_stars", "product_trends")


def _rebuild(name: str, *, partitioned: bool) -> None:
    """Re-create table ``name`` (plain or partitioned by run_id) with the same columns, primary
    key and foreign key, and move its rows into it."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    key = ", ".join(inspector.get_pk_constraint(name)["constrained_columns"])
    columns = ", ".join(c["name"] for c in inspector.get_columns(name))
    old = f"{name}_old"
    op.execute(f"ALTER TABLE {name} RENAME TO {old}")
    op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{name} TO pk_{old}")
    partitions = " PARTITION BY LIST (run_id)" if partitioned else ""
    op.execute(f"CREATE TABLE {name} (LIKE {old} INCLUDING DEFAULTS){partitions}")
    op.execute(f"ALTER TABLE {name} ADD CONSTRAINT pk_{name} PRIMARY KEY ({key})")
    op.execute(
        f"ALTER TABLE {name} ADD CONSTRAINT fk_{name}_run_id_score_runs FOREIGN KEY (run_id)"
        " REFERENCES score_runs (id) ON DELETE CASCADE"
    )
    if partitioned:
        runs = bind.execute(sa.text(f"SELECT DISTINCT run_id FROM {old} ORDER BY run_id"))
        for (run_id,) in runs.all():
            op.execute(f"CREATE TABLE {name}_{run_id} PARTITION OF {name} FOR VALUES IN ({run_id})")
    op.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {old} ORDER BY {key}")
    op.execute(f"DROP TABLE {old}")  # with its partitions, when it had some


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TABLES:
        _rebuild(name, partitioned=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TABLES:
        _rebuild(name, partitioned=False)
