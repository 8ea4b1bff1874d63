"""``generate``: draw a marketplace and write its data files and truth."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopstar.contract import ENTITIES
from shopstar.sim.catalog import build_catalog
from shopstar.sim.config import SimConfig
from shopstar.sim.content import build_content
from shopstar.sim.creators import build_creators
from shopstar.sim.groundtruth import creator_tables, product_tables
from shopstar.sim.messy import DEFECTS, resent_rows, write_bad_rows
from shopstar.sim.orders import build_orders
from shopstar.sim.tables import Ids, daily_followers, dimension_tables, fact_tables
from shopstar.sim.write import FORMAT_SUFFIX, write_table

Progress = Callable[[str], None]
STEPS = ("catalog", "creators", "content", "orders", "tables", "write", "truth")


@dataclass(frozen=True)
class SimResult:
    """What :func:`generate` wrote: data files per entity, the truth directory, row counts.

    ``rows`` counts rows written per entity file (``extra_files`` per messy file);
    ``order_lines`` counts distinct order lines (re-sent cancellation rows excluded).
    ``expected_ingest`` is what ingest of ``out`` should report per entity: rejected,
    duplicate and superseded rows.
    """

    out: Path
    files: dict[str, Path]
    truth_dir: Path
    rows: dict[str, int]
    order_lines: int
    seconds: float
    extra_files: dict[Path, int] = field(default_factory=dict)
    expected_ingest: dict[str, dict[str, int]] = field(default_factory=dict)


def _streams(seed: int) -> list[np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(STEPS))
    return [np.random.default_rng(s) for s in children]


def generate(out: Path, config: SimConfig, progress: Progress | None = None) -> SimResult:
    """Generate the marketplace of ``config`` into ``out`` (created if needed) and its truth
    into ``out/truth``. Same config (seed included) -> byte-identical files."""
    began = time.perf_counter()
    say = progress or (lambda _step: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear_previous(out)
    rng = dict(zip(STEPS, _streams(config.seed), strict=True))

    say("catalog")
    catalog = build_catalog(rng["catalog"], config)
    say("creators")
    creators = build_creators(rng["creators"], config)
    say("content")
    content = build_content(rng["content"], config, catalog, creators)
    say("orders")
    orders = build_orders(rng["orders"], config, catalog, creators, content)
    say("tables")
    key = Ids.build(creators.n_agencies, len(catalog.shop_names), catalog.n, creators.n)
    followers = daily_followers(rng["tables"], config, creators)
    tables = {
        **dimension_tables(config, catalog, creators, followers, key),
        **fact_tables(config, content, orders, followers, key),
    }
    del followers
    say("write")
    suffix = FORMAT_SUFFIX[config.format]
    files: dict[str, Path] = {}
    for name in ENTITIES:
        files[name] = out / f"{name}{suffix}"
        write_table(tables[name], files[name])
    expected = {name: {"rejected": 0, "duplicate": 0, "superseded": 0} for name in ENTITIES}
    expected["orders"]["superseded"] = int(orders.cancelled.sum())
    extra: dict[Path, int] = {}
    if config.messy:
        for name in DEFECTS:
            expected[name]["rejected"] = write_bad_rows(out, name, tables[name])
            extra[out / f"{name}-messy.csv"] = expected[name]["rejected"]
        resend = _never_cancelled(tables["orders"], orders.line[orders.cancelled])
        write_table(resend, out / f"orders-resent{suffix}")
        extra[out / f"orders-resent{suffix}"] = expected["orders"]["duplicate"] = len(resend)
    rows = {name: len(t) for name, t in tables.items()}
    say("truth")
    truth_dir = out / "truth"
    truth = {
        **creator_tables(config, catalog, creators, key),
        **product_tables(config, catalog, orders, key),
    }
    for name, table in truth.items():
        write_table(table, truth_dir / f"{name}.parquet")
    result = SimResult(
        out=out,
        files=files,
        truth_dir=truth_dir,
        rows=rows,
        order_lines=orders.n_placed,
        seconds=time.perf_counter() - began,
        extra_files=extra,
        expected_ingest=expected,
    )
    _write_manifest(truth_dir, config, result)
    return result


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
    }
    settings["categories"] = list(config.categories)
    manifest = {
        "config": settings,
        "rows": result.rows,
        "order_lines": result.order_lines,
        "files": sorted(p.name for p in [*result.files.values(), *result.extra_files]),
        "expected_ingest": result.expected_ingest,
    }
    (truth_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )
