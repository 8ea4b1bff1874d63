"""Scores keep the numbers behind their explanation as columns; the explanation is built on read.

A run publishes a few hundred thousand scores and a reader shows a page of them: building and
encoding a JSON explanation per published row cost seconds per run. Existing rows keep their
figures (taken from their JSON, as rounded there to 4 significant digits); a downgrade builds the
JSON back from the columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:30:00.000000
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("run_id", "category", "creator_id")
# new column -> its key in the explanation JSON
COLUMNS = {
    "multiplier": "skill_multiplier",
    "posts_per_week": "posts_per_week",
    "value_per_view": "category_gmv_per_view",
    "prior_strength": "prior_strength",
}


def _scores(*columns: str) -> sa.TableClause:
    return sa.table(
        "creator_category_scores",
        *(sa.column(name) for name in KEY),
        *(sa.column(name, sa.JSON() if name == "explanation" else sa.Double()) for name in columns),
        sa.column("order_lines"),
        sa.column("expected_lines"),
        sa.column("views"),
        sa.column("posts"),
        sa.column("reach"),
        sa.column("skill_low"),
        sa.column("skill_high"),
    )


def _where(table: sa.TableClause, row: Any) -> Any:
    return sa.and_(*(table.c[name] == getattr(row, name) for name in KEY))


def upgrade() -> None:
    with op.batch_alter_table("creator_category_scores", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Double(), nullable=True))
    bind = op.get_bind()
    table = _scores("explanation", *COLUMNS)
    for row in bind.execute(sa.select(*(table.c[n] for n in (*KEY, "explanation")))).all():
        data = row.explanation if isinstance(row.explanation, dict) else json.loads(row.explanation)
        values = {name: float(data.get(key, 0.0)) for name, key in COLUMNS.items()}
        bind.execute(table.update().where(_where(table, row)).values(**values))
    with op.batch_alter_table("creator_category_scores", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.alter_column(name, existing_type=sa.Double(), nullable=False)
        batch_op.drop_column("explanation")


def _num(value: float) -> float:
    return float(f"{value:.4g}")


def downgrade() -> None:
    with op.batch_alter_table("creator_category_scores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("explanation", sa.JSON(), nullable=True))
    bind = op.get_bind()
    table = _scores("explanation", *COLUMNS)
    for row in bind.execute(sa.select(table)).all():
        explanation = {
            "summary": (
                f"{row.multiplier:.2f}x the sales expected for the products promoted "
                f"({row.order_lines} order lines vs {row.expected_lines:.1f} expected from "
                f"{row.views:,} views); {row.reach:,.0f} views per post, "
                f"{row.posts_per_week:.1f} posts a week"
            ),
            "skill_multiplier": _num(row.multiplier),
            "skill_band": [_num(row.skill_low), _num(row.skill_high)],
            "order_lines": row.order_lines,
            "expected_lines": _num(row.expected_lines),
            "views": row.views,
            "posts": row.posts,
            "reach": _num(row.reach),
            "posts_per_week": _num(row.posts_per_week),
            "category_gmv_per_view": _num(row.value_per_view),
            "prior_strength": _num(row.prior_strength),
        }
        bind.execute(table.update().where(_where(table, row)).values(explanation=explanation))
    with op.batch_alter_table("creator_category_scores", schema=None) as batch_op:
        batch_op.alter_column("explanation", existing_type=sa.JSON(), nullable=False)
        for name in reversed(list(COLUMNS)):
            batch_op.drop_column(name)
