"""The simulated marketplace has the statistical shape documented in docs/simulator.md."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd


def _one(db: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = db.execute(sql).fetchone()
    assert row is not None
    return float(row[0])


CREATOR_GMV = """
    select c.creator_id, c.followers,
           coalesce(sum(l.quantity * l.unit_price) filter (where l.status = 'placed'), 0) gmv
    from creators c left join lines l using (creator_id)
    group by all
"""


def test_followers_and_gmv_are_heavy_tailed(stats_db: duckdb.DuckDBPyConnection) -> None:
    creators = stats_db.execute(CREATOR_GMV).df()
    followers = creators["followers"].to_numpy(dtype=float)
    assert followers.max() / np.median(followers) > 50
    top = np.sort(followers)[::-1][: len(followers) // 100]
    assert top.sum() / followers.sum() > 0.15  # top 1% hold a large share of all followers
    gmv = np.sort(creators["gmv"].to_numpy(dtype=float))[::-1]
    assert gmv[: len(gmv) // 10].sum() / gmv.sum() > 0.5  # top 10% sell most
    assert (gmv == 0).mean() < 0.5


def test_creators_under_100k_followers_drive_most_affiliate_gmv(
    stats_db: duckdb.DuckDBPyConnection,
) -> None:
    share = _one(
        stats_db,
        f"select sum(gmv) filter (where followers < 100000) / sum(gmv) from ({CREATOR_GMV})",
    )
    assert 0.5 < share < 0.85


def test_funnel_rates_are_in_published_ranges(stats_db: duckdb.DuckDBPyConnection) -> None:
    stats = stats_db.execute(
        """
        with g as (select content_id, count(*) n, sum(quantity * unit_price) gmv from lines
                   where status = 'placed' and content_id is not null group by 1),
             v as (select content_id, sum(views) views, sum(product_clicks) clicks
                   from content_daily group by 1)
        select sum(v.clicks) / sum(v.views) ctr, sum(g.n) / sum(v.clicks) cvr,
               sum(g.gmv) / sum(v.views) * 1000 gpm
        from content c join v using (content_id) left join g using (content_id)
        where c.kind = 'video'
        """
    ).fetchone()
    assert stats is not None
    ctr, cvr, gpm = (float(x) for x in stats)
    assert 0.01 < ctr < 0.03
    assert 0.02 < cvr < 0.06
    assert 5 < gpm < 40
    organic = _one(
        stats_db,
        "select sum(quantity * unit_price) filter (where creator_id is null) "
        "/ sum(quantity * unit_price) from lines where status = 'placed'",
    )
    assert 0.2 < organic < 0.5


def test_big_creators_pick_hotter_products(stats_db: duckdb.DuckDBPyConnection) -> None:
    corr = _one(
        stats_db,
        """
        with c as (select content_id, creator_id,
                          date_diff('day', (select min(week_start) from truth_products_weekly),
                                    cast(published_at as date)) // 7 as week
                   from content)
        select corr(ln(t.followers_initial), ln(w.appeal))
        from c join content_products cp using (content_id)
        join truth_creators t using (creator_id)
        join truth_products_weekly w on w.product_id = cp.product_id and w.week = c.week
        """,
    )
    assert corr > 0.05


def test_skill_is_only_weakly_tied_to_followers(stats_db: duckdb.DuckDBPyConnection) -> None:
    corr = _one(
        stats_db,
        "select corr(s.true_skill, ln(c.followers_initial)) from truth_creator_category s "
        "join truth_creators c using (creator_id) where s.is_focus",
    )
    assert -0.1 < corr < 0.3


def _skill_estimates(db: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per creator x category: views, realised GMV and orders per view against each product's
    baseline across creators (a minimal version of the estimator the analytics use)."""
    return db.execute(
        """
        with o as (select content_id, product_id, count(*) n, sum(quantity * unit_price) gmv
                   from lines where status = 'placed' and content_id is not null group by all),
             v as (select content_id, sum(views) views from content_daily group by 1),
             cp as (select c.creator_id, p.category, cp.product_id, v.views,
                           coalesce(o.n, 0) n, coalesce(o.gmv, 0) gmv
                    from content_products cp join content c using (content_id)
                    join products p using (product_id) join v using (content_id)
                    left join o using (content_id, product_id)
                    where c.kind = 'video'),
             b as (select product_id, sum(n) / sum(views) base from cp group by 1)
        select creator_id, category, sum(views) views, sum(gmv) / sum(views) gmv_per_view,
               ln((sum(n) + 0.5) / (sum(views * base) + 0.5)) estimate,
               any_value(t.true_skill) skill
        from cp join b using (product_id)
        join truth_creator_category t using (creator_id, category)
        group by all having sum(views) >= 10000
        """
    ).df()


def test_higher_true_skill_sells_more_per_view(stats_db: duckdb.DuckDBPyConnection) -> None:
    df = _skill_estimates(stats_db)
    quartile = pd.qcut(df["skill"], 4, labels=False)
    per_view = df.groupby(quartile)["gmv_per_view"].median().to_numpy()
    assert np.all(np.diff(per_view) > 0), per_view


def test_skill_is_identifiable_from_the_data(stats_db: duckdb.DuckDBPyConnection) -> None:
    df = _skill_estimates(stats_db)
    assert len(df) > 500
    spearman = df["estimate"].rank().corr(df["skill"].rank())
    assert spearman >= 0.7, spearman


def test_rising_creators_grow_and_follow_the_documented_rule(
    stats_db: duckdb.DuckDBPyConnection,
) -> None:
    creators = stats_db.execute("select * from truth_creators").df()
    rule = (creators["followers_initial"] < 50_000) & (creators["weekly_growth"] >= 0.03)
    assert (creators["is_rising"] == rule).all()
    assert 0.03 < creators["is_rising"].mean() < 0.15
    growth = creators["followers_final"] / creators["followers_initial"]
    assert growth[creators["is_rising"]].median() > 1.3 > growth[~creators["is_rising"]].median()
    observed = _one(
        stats_db,
        "select count(*) from creators c join truth_creators t using (creator_id) "
        "where abs(c.followers - t.followers_final) > 0.02 * t.followers_final",
    )
    assert observed == 0


def test_cancellations_and_refunds_are_realistic(stats_db: duckdb.DuckDBPyConnection) -> None:
    cancelled = _one(stats_db, "select avg((status = 'cancelled')::int) from lines")
    assert 0.02 < cancelled < 0.06
    resent = stats_db.execute(
        "select count(*), min(c.updated_at > p.updated_at::timestamptz) from orders c "
        "join orders p using (order_line_id) where c.status = 'cancelled' and p.status = 'placed'"
    ).fetchone()
    assert resent is not None and resent[0] > 0 and resent[1]
    refunds = stats_db.execute(
        """
        select count(*) n, avg((r.amount = l.quantity * l.unit_price)::int) full_share,
               max(r.amount > l.quantity * l.unit_price)::int over_refund,
               max(l.status = 'cancelled')::int refunded_cancelled
        from refunds r join lines l using (order_line_id)
        """
    ).fetchone()
    assert refunds is not None
    n, full_share, over, refunded_cancelled = refunds
    assert n > 0 and 0.5 < full_share < 0.8 and over == 0 and refunded_cancelled == 0


def test_true_potential_ranks_like_realised_gmv(stats_db: duckdb.DuckDBPyConnection) -> None:
    spearman = _one(
        stats_db,
        """
        with g as (select l.creator_id, p.category, sum(quantity * unit_price) gmv
                   from lines l join products p using (product_id)
                   where status = 'placed' and creator_id is not null group by all)
        select corr(r_truth, r_gmv) from (
            select rank() over (order by t.true_potential) r_truth,
                   rank() over (order by coalesce(g.gmv, 0)) r_gmv
            from truth_creator_category t left join g using (creator_id, category)
            where t.is_focus)
        """,
    )
    assert spearman > 0.6


def test_late_breakouts_show_in_units_sold(stats_db: duckdb.DuckDBPyConnection) -> None:
    breakouts = stats_db.execute(
        """
        select count(*), median((a.units_sold + 1.0) / (before.units_sold + 1.0))
        from truth_products p
        join truth_products_weekly a on a.product_id = p.product_id and a.week = p.breakout_week + 1
        join truth_products_weekly before
             on before.product_id = p.product_id and before.week = p.breakout_week - 2
        where p.breakout_week between 2 and 6
        """
    ).fetchone()
    assert breakouts is not None
    n, jump = breakouts
    assert n >= 20 and jump > 3
