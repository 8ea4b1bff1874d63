"""Published scoring results: score runs and their metrics, scores, rising stars and trends.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 20:41:37.164064
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# exact decimals: NUMERIC on PostgreSQL, text on SQLite (see shopstar.db.types.ExactDecimal)
MONEY = sa.Numeric(18, 2).with_variant(sa.String(20), "sqlite")

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_runs")),
    )
    with op.batch_alter_table("score_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_runs_status"), ["status"], unique=False)

    op.create_table(
        "creator_category_metrics",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=128), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("gmv", MONEY, nullable=False),
        sa.Column("net_gmv", MONEY, nullable=False),
        sa.Column("order_lines", sa.Integer(), nullable=False),
        sa.Column("items_sold", sa.Integer(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("clicks", sa.BigInteger(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("ctr", sa.Double(), nullable=True),
        sa.Column("cvr", sa.Double(), nullable=True),
        sa.Column("gpm", sa.Double(), nullable=True),
        sa.Column("video_gmv", MONEY, nullable=False),
        sa.Column("live_gmv", MONEY, nullable=False),
        sa.Column("products_promoted", sa.Integer(), nullable=False),
        sa.Column("prev_gmv", MONEY, nullable=False),
        sa.Column("gmv_growth", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["score_runs.id"],
            name=op.f("fk_creator_category_metrics_run_id_score_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id",
            "creator_id",
            "category",
            "window_days",
            name=op.f("pk_creator_category_metrics"),
        ),
    )
    op.create_table(
        "creator_category_scores",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=128), nullable=False),
        sa.Column("creator_id", sa.String(length=128), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("star_score", sa.Double(), nullable=False),
        sa.Column("skill", sa.Double(), nullable=False),
        sa.Column("skill_low", sa.Double(), nullable=False),
        sa.Column("skill_high", sa.Double(), nullable=False),
        sa.Column("reach", sa.Double(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("order_lines", sa.Integer(), nullable=False),
        sa.Column("expected_lines", sa.Double(), nullable=False),
        sa.Column("gmv", MONEY, nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["score_runs.id"],
            name=op.f("fk_creator_category_scores_run_id_score_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "category", "creator_id", name=op.f("pk_creator_category_scores")
        ),
    )
    op.create_table(
        "product_trends",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=128), nullable=False),
        sa.Column("product_id", sa.String(length=128), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("trend_score", sa.Double(), nullable=False),
        sa.Column("units_w1", sa.Integer(), nullable=False),
        sa.Column("units_w2", sa.Integer(), nullable=False),
        sa.Column("units_w3", sa.Integer(), nullable=False),
        sa.Column("units_w4", sa.Integer(), nullable=False),
        sa.Column("velocity", sa.Double(), nullable=False),
        sa.Column("acceleration", sa.Double(), nullable=False),
        sa.Column("adopters", sa.Integer(), nullable=False),
        sa.Column("adopters_prev", sa.Integer(), nullable=False),
        sa.Column("breakout", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["score_runs.id"],
            name=op.f("fk_product_trends_run_id_score_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "category", "product_id", name=op.f("pk_product_trends")),
    )
    op.create_table(
        "rising_stars",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=128), nullable=False),
        sa.Column("creator_id", sa.String(length=128), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("rising_score", sa.Double(), nullable=False),
        sa.Column("star_score", sa.Double(), nullable=False),
        sa.Column("skill", sa.Double(), nullable=False),
        sa.Column("skill_low", sa.Double(), nullable=False),
        sa.Column("reach", sa.Double(), nullable=False),
        sa.Column("followers", sa.BigInteger(), nullable=True),
        sa.Column("follower_growth", sa.Double(), nullable=True),
        sa.Column("reach_growth", sa.Double(), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["score_runs.id"],
            name=op.f("fk_rising_stars_run_id_score_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "category", "creator_id", name=op.f("pk_rising_stars")),
    )


def downgrade() -> None:
    op.drop_table("rising_stars")
    op.drop_table("product_trends")
    op.drop_table("creator_category_scores")
    op.drop_table("creator_category_metrics")
    with op.batch_alter_table("score_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_runs_status"))

    op.drop_table("score_runs")
