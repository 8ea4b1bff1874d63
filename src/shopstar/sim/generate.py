"""``generate``: draw a marketplace and write its data files and truth."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopstar.contract import ENTITIES
from shopstar.sim.arrow import id_width
from shopstar.sim.catalog import FUTURE_WEEKS, build_catalog
from shopstar.sim.config import SimConfig
from shopstar.sim.content import Content, build_content
from shopstar.sim.creators import Creators, build_creators
from shopstar.sim.groundtruth import creator_tables, product_tables, units_sold
from shopstar.sim.messy import DEFECTS, resent_rows, write_bad_rows
from shopstar.sim.orders import Orders, build_orders
from shopstar.sim.tables import (
    Ids,
    Numbering,
    daily_followers,
    dimension_tables,
    fact_tables,
    single_numbering,
)
from shopstar.sim.write import FORMAT_SUFFIX, Appender, write_table

Progress = Callable[[str, int, int], None]  # (what is being done, units done, units in all)
STEPS = ("catalog", "creators", "content", "orders", "tables", "write", "truth")
SHARDED_STEPS = ("content", "orders", "tables")  # drawn per shard, from the step's own stream


@dataclass(frozen=True)
class SimResult:
    """What :func:`generate` wrote: data files per entity, the truth directory, row counts.

    ``rows`` counts rows written per entity file (``extra_files`` per messy file);
    ``order_lines`` counts distinct order lines (re-sent cancellation rows excluded).
    ``expected_ingest`` is what ingest of ``out`` should report per entity: rejected,
    duplicate and superseded rows. ``shard_rows`` gives, per shard in file order, the rows it
    appended to each fact file (dimension files are written whole, after the shards); a shard
    holds every version of its order lines and their refunds, so it can be ingested alone.
    """

    out: Path
    files: dict[str, Path]
    truth_dir: Path
    rows: dict[str, int]
    order_lines: int
    seconds: float
    extra_files: dict[Path, int] = field(default_factory=dict)
    expected_ingest: dict[str, dict[str, int]] = field(default_factory=dict)
    shard_rows: tuple[dict[str, int], ...] = ()


@dataclass(frozen=True)
class _Streams:
    """One generator per step; the sharded steps get one per shard (the step's own generator
    when there is a single shard, so one-shard runs draw exactly what they always drew)."""

    single: dict[str, np.random.Generator]
    sharded: dict[str, list[np.random.Generator]]

    @staticmethod
    def build(seed: int, shards: int) -> _Streams:
        children = dict(zip(STEPS, np.random.SeedSequence(seed).spawn(len(STEPS)), strict=True))
        sharded = {
            step: [np.random.default_rng(s) for s in children[step].spawn(shards)]
            if shards > 1
            else [np.random.default_rng(children[step])]
            for step in SHARDED_STEPS
        }
        single = {
            step: np.random.default_rng(seq)
            for step, seq in children.items()
            if step not in SHARDED_STEPS
        }
        return _Streams(single, sharded)


def _first_numbering(config: SimConfig, creators: Creators, shards: int) -> Numbering | None:
    """Id widths of a sharded run, fixed before any count is known: from the expected number
    of contents, with a wide margin (ids stay unique whatever the width; the width only makes
    them sort in number order). None for a one-shard run (widths from the exact counts)."""
    if shards == 1:
        return None
    contents = config.weeks * float(np.sum(creators.videos_per_week + creators.lives_per_week))
    return Numbering(id_width(round(2 * contents)), id_width(round(20 * contents)))


def _next_numbering(
    num: Numbering, shard: tuple[int, int], content: Content, orders: Orders
) -> Numbering:
    """The numbering of the shard after ``shard``."""
    lines = int(orders.line.max()) + 1 if len(orders.line) else 0
    n_orders = int(orders.order.max()) + 1 if len(orders.order) else 0
    return replace(
        num,
        creator=shard[1],
        content=num.content + content.n,
        line=num.line + lines,
        order=num.order + n_orders,
        refund=num.refund + len(orders.refund_line),
    )


def generate(out: Path, config: SimConfig, progress: Progress | None = None) -> SimResult:
    """Generate the marketplace of ``config`` into ``out`` (created if needed) and its truth
    into ``out/truth``. Same config (seed included) -> byte-identical files.

    Creators are drawn shard by shard (``config.shards()``): each shard's contents, order lines
    (with the organic lines of an equal share of the products), refunds and daily rows are
    appended to the files before the next shard is drawn, so memory is bounded by a shard.
    ``progress(step, done, total)`` is called before each step."""
    began = time.perf_counter()
    say = progress or (lambda _step, _done, _total: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear_previous(out)
    shards = config.shards()
    n_shards, total = len(shards), len(shards) + 2
    rng = _Streams.build(config.seed, n_shards)

    say("catalog", 0, total)
    catalog = build_catalog(rng.single["catalog"], config)
    say("creators", 0, total)
    creators = build_creators(rng.single["creators"], config)
    key = Ids.build(creators.n_agencies, len(catalog.shop_names), catalog.n, creators.n)
    suffix = FORMAT_SUFFIX[config.format]
    files = {name: out / f"{name}{suffix}" for name in ENTITIES}
    expected = {name: {"rejected": 0, "duplicate": 0, "superseded": 0} for name in ENTITIES}
    extra: dict[Path, int] = {}
    last_followers = np.zeros(creators.n, dtype=np.int64)
    units = np.zeros(catalog.n * (config.weeks + FUTURE_WEEKS))
    shard_rows: list[dict[str, int]] = []
    order_lines = 0
    num = _first_numbering(config, creators, n_shards)
    with Appender() as sink:
        for k, shard in enumerate(shards):
            tag = f"shard {k + 1}/{n_shards}: " if n_shards > 1 else ""
            organic = (catalog.n * k // n_shards, catalog.n * (k + 1) // n_shards)
            say(f"{tag}content", k + 1, total)
            content = build_content(rng.sharded["content"][k], config, catalog, creators, shard)
            say(f"{tag}orders", k + 1, total)
            orders = build_orders(
                rng.sharded["orders"][k], config, catalog, creators, content, organic
            )
            say(f"{tag}tables", k + 1, total)
            followers = daily_followers(rng.sharded["tables"][k], config, creators, shard)
            last_followers[shard[0] : shard[1]] = followers[:, -1]
            num = num or single_numbering(content, orders)
            tables = fact_tables(config, content, orders, followers, key, num)
            say(f"{tag}write", k + 1, total)
            for name, table in tables.items():
                sink.write(table, files[name])
            shard_rows.append({name: t.num_rows for name, t in tables.items()})
            expected["orders"]["superseded"] += int(orders.cancelled.sum())
            order_lines += orders.n_placed
            units += units_sold(config, catalog, orders)
            if config.messy:  # one shard only (SimConfig checks)
                extra = _write_messy(out, suffix, tables, orders, expected)
            num = _next_numbering(num, shard, content, orders)
            del content, orders, followers, tables
        say("truth", total - 1, total)
        dimensions = dimension_tables(config, catalog, creators, last_followers, key)
        for name, table in dimensions.items():
            sink.write(table, files[name])
        rows = {name: sink.rows[files[name]] for name in ENTITIES}
    truth_dir = out / "truth"
    truth = {
        **creator_tables(config, catalog, creators, key),
        **product_tables(config, catalog, units, key),
    }
    for name, table in truth.items():
        write_table(table, truth_dir / f"{name}.parquet")
    result = SimResult(
        out=out,
        files=files,
        truth_dir=truth_dir,
        rows=rows,
        order_lines=order_lines,
        seconds=time.perf_counter() - began,
        extra_files=extra,
        expected_ingest=expected,
        shard_rows=tuple(shard_rows),
    )
    _write_manifest(truth_dir, config, result)
    say("done", total, total)
    return result


def _write_messy(
    out: Path,
    suffix: str,
    tables: dict[str, pa.Table],
    orders: Orders,
    expected: dict[str, dict[str, int]],
) -> dict[Path, int]:
    """Write the bad rows and the re-sent orders of ``--messy``; count them in ``expected``."""
    extra: dict[Path, int] = {}
    for name in DEFECTS:
        expected[name]["rejected"] = write_bad_rows(out, name, tables[name])
        extra[out / f"{name}-messy.csv"] = expected[name]["rejected"]
    resend = _never_cancelled(tables["orders"], orders.line[orders.cancelled])
    write_table(resend, out / f"orders-resent{suffix}")
    extra[out / f"orders-resent{suffix}"] = expected["orders"]["duplicate"] = len(resend)
    return extra


def _clear_previous(out: Path) -> None:
    """Remove files an earlier run may have left in ``out`` (another format, messy files),
    so that ``out`` holds exactly this run. Other files are left alone."""
    names = [f"{e}{suffix}" for e in ENTITIES for suffix in FORMAT_SUFFIX.values()]
    names += [f"{e}-messy.csv" for e in DEFECTS]
    names += [f"orders-resent{suffix}" for suffix in FORMAT_SUFFIX.values()]
    for name in names:
        (out / name).unlink(missing_ok=True)


def _never_cancelled(orders: pa.Table, cancelled_lines: np.ndarray) -> pa.Table:
    """The first rows of ``orders`` whose line was never cancelled (re-sending them can only
    give duplicates, never a status change)."""
    head = resent_rows(orders)
    line_no = pc.cast(pc.utf8_slice_codeunits(head["order_line_id"], 3), pa.int64())
    keep = ~np.isin(line_no.to_numpy(), cancelled_lines)
    return head.filter(pa.array(keep))


def _write_manifest(truth_dir: Path, config: SimConfig, result: SimResult) -> None:
    settings: dict[str, object] = {
        k: (str(v) if not isinstance(v, int | float | bool) else v)
        for k, v in asdict(config).items()
        if not (k == "shard_creators" and v is None)  # as before sharding existed
    }
    settings["categories"] = list(config.categories)
    manifest: dict[str, object] = {
        "config": settings,
        "rows": result.rows,
        "order_lines": result.order_lines,
        "files": sorted(p.name for p in [*result.files.values(), *result.extra_files]),
        "expected_ingest": result.expected_ingest,
    }
    if len(result.shard_rows) > 1:
        manifest["shard_rows"] = list(result.shard_rows)
    (truth_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
