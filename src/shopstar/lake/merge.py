"""Validate one entity's inputs and merge them into its current state, in DuckDB.

Every row of a batch ends in exactly one fate:

* ``rejected``: it breaks a contract rule (the first broken rule is its reason);
* ``duplicate``: the same row (every column equal) is in the lake or earlier in the batch;
* ``accepted``: it wins its key, and replaces the lake's row for that key if there was one;
* ``superseded``: another version of its key wins.

The winner of a key: for ``orders`` the row with the latest ``updated_at``; otherwise the
latest row (a later batch beats the lake, a later input or line beats an earlier one). For
orders a tie on ``updated_at`` is also decided by the latest row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from shopstar.contract import ENTITIES, Entity
from shopstar.contract.validation import column_rule, quote_ident, sql_type, typed_input
from shopstar.lake.raw import RawInput, Reject
from shopstar.lake.report import EntityCounts
from shopstar.lake.store import fsync_path

SEQ_SHIFT = 40  # __seq = input index << 40 | row index
MAX_PARTS = 8  # more live parts than this: compact the entity into one


@dataclass
class Merged:
    """Result of merging one entity: counts, rejected rows and the entity's new part list."""

    counts: EntityCounts
    rejects: list[tuple[str, Reject]]
    parts: list[str]
    accepted_part: str | None


def prepare(raw: RawInput, index: int) -> pa.Table:
    """The input's contract columns (text, or canonical types) plus ``__seq`` and ``__line``."""
    entity = ENTITIES[raw.entity]
    present = set(raw.table.column_names)
    columns: dict[str, pa.ChunkedArray | pa.Array | np.ndarray[Any, Any]] = {}
    for col in entity.columns:
        if col.name not in present:
            continue
        values = raw.table.column(col.name)
        kind = values.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            columns[col.name] = values
            continue
        target = typed_input(col, kind)
        try:
            if target is None:
                raise pa.ArrowInvalid("needs text")
            columns[col.name] = values.cast(target, safe=not pa.types.is_timestamp(kind))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            columns[col.name] = values.cast(pa.string())
    n = raw.table.num_rows
    columns["__seq"] = np.arange(n, dtype=np.int64) + (index << SEQ_SHIFT)
    lines = (
        np.arange(1, n + 1, dtype=np.int64)
        if raw.lines is None
        else np.asarray(raw.lines, dtype=np.int64)
    )
    if len(lines) != n:
        raise ValueError(f"{raw.source}: {len(lines)} line numbers for {n} rows")
    columns["__line"] = lines
    return pa.table(columns)


def _cols(entity: Entity, prefix: str = "") -> str:
    return ", ".join(prefix + quote_ident(c) for c in entity.column_names)


def _sql_types(entity: Entity) -> str:
    return ", ".join(f"{quote_ident(c.name)} {sql_type(c)}" for c in entity.columns)


class EntityMerge:
    """Validate, de-duplicate and write one entity's rows of a batch on connection ``con``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, entity: Entity, root: Path) -> None:
        self.con = con
        self.entity = entity
        self.root = root
        self.counts = EntityCounts(entity.name)
        self.rejects: list[tuple[str, Reject]] = []
        self._inputs: dict[int, RawInput] = {}
        con.execute("DROP TABLE IF EXISTS checked")
        con.execute(
            f"CREATE TEMP TABLE checked ({_sql_types(entity)}, "
            "__seq BIGINT, __line BIGINT, __reason VARCHAR)"
        )

    def add(self, raw: RawInput, index: int) -> None:
        """Validate ``raw`` (the batch's ``index``-th input) into the ``checked`` table."""
        self._inputs[index] = raw
        self.counts.read += raw.table.num_rows + len(raw.rejects)
        self.counts.rejected += len(raw.rejects)
        self.rejects.extend((raw.source, r) for r in raw.rejects)
        table = prepare(raw, index)
        types = {f.name: f.type for f in table.schema}
        rules = {c.name: column_rule(c, types.get(c.name)) for c in self.entity.columns}
        checks = [check for rule in rules.values() for check in rule.checks]
        reason = (
            "CASE " + " ".join(f"WHEN {cond} THEN {why}" for cond, why in checks) + " END"
            if checks
            else "CAST(NULL AS VARCHAR)"
        )
        values = ", ".join(rule.value for rule in rules.values())
        self.con.register("raw_input", table)
        self.con.execute(
            f"INSERT INTO checked SELECT {values}, __seq, __line, {reason} FROM raw_input"
        )
        self.con.unregister("raw_input")

    def _collect_rejects(self) -> None:
        found = self.con.execute(
            "SELECT __seq, __line, __reason FROM checked WHERE __reason IS NOT NULL ORDER BY __seq"
        ).fetchall()
        self.counts.rejected += len(found)
        by_input: dict[int, list[tuple[int, int, str]]] = {}
        for seq, line, reason in found:
            by_input.setdefault(seq >> SEQ_SHIFT, []).append(
                (seq & ((1 << SEQ_SHIFT) - 1), line, reason)
            )
        for index, rows in by_input.items():
            raw = self._inputs[index]
            taken = raw.table.take([r[0] for r in rows]).to_pylist()
            for (_, line, reason), values in zip(rows, taken, strict=True):
                row = {k: None if v is None else str(v) for k, v in values.items()}
                self.rejects.append((raw.source, Reject(line, row, reason)))

    def merge(self, parts: list[str], batch_id: str) -> Merged:
        """Decide every valid row's fate against the live ``parts`` and write the new parts."""
        self._collect_rejects()
        con, entity = self.con, self.entity
        cols = _cols(entity)
        key = ", ".join(quote_ident(k) for k in entity.key)
        files = [str(self.root / p) for p in parts]
        if files:
            source = f"read_parquet({sql_list(files)})"
            con.execute(f"CREATE OR REPLACE TEMP VIEW cur AS SELECT {cols} FROM {source}")
        else:
            con.execute(f"CREATE OR REPLACE TEMP VIEW cur AS SELECT {cols} FROM checked LIMIT 0")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE firsts AS SELECT {cols}, min(__seq) AS __seq, "
            "count(*) AS __n FROM checked WHERE __reason IS NULL GROUP BY ALL"
        )
        on = " AND ".join(f"f.{quote_ident(k)} = c.{quote_ident(k)}" for k in entity.key)
        same = (
            " AND ".join(
                f"f.{quote_ident(c)} IS NOT DISTINCT FROM c.{quote_ident(c)}"
                for c in entity.column_names
                if c not in entity.key
            )
            or "TRUE"
        )
        k0 = quote_ident(entity.key[0])
        is_orders = entity.name == "orders"
        lake_ts = "c.updated_at" if is_orders else "CAST(NULL AS TIMESTAMPTZ)"
        order = "updated_at DESC, __seq DESC" if is_orders else "__seq DESC"
        wins = "(__lake_ts IS NULL OR updated_at >= __lake_ts)" if is_orders else "TRUE"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE decided AS
            SELECT *, CASE WHEN __same THEN 'duplicate'
                WHEN row_number() OVER (PARTITION BY {key} ORDER BY {order}) = 1 AND {wins}
                THEN 'accepted' ELSE 'superseded' END AS __fate
            FROM (SELECT f.*, c.{k0} IS NOT NULL AS __in_lake,
                         c.{k0} IS NOT NULL AND {same} AS __same, {lake_ts} AS __lake_ts
                  FROM firsts f LEFT JOIN cur c ON {on})"""
        )
        fates = dict(con.execute("SELECT __fate, count(*) FROM decided GROUP BY __fate").fetchall())
        (batch_dupes,) = con.execute("SELECT coalesce(sum(__n - 1), 0) FROM firsts").fetchone() or (
            0,
        )
        c = self.counts
        c.accepted = int(fates.get("accepted", 0))
        c.superseded = int(fates.get("superseded", 0))
        c.duplicate = int(fates.get("duplicate", 0)) + int(batch_dupes)
        new_parts = list(parts)
        writer = _PartWriter(con, self.root, entity.name, batch_id)
        accepted_part = writer.write(f"SELECT {cols} FROM decided WHERE __fate = 'accepted'")
        replaced = con.execute(
            "SELECT count(*) FROM decided WHERE __fate = 'accepted' AND __in_lake"
        ).fetchone()
        if replaced and replaced[0]:
            affected = [
                str(Path(name).relative_to(self.root))
                for (name,) in con.execute(
                    f"""SELECT DISTINCT filename FROM read_parquet(?, filename=true)
                    SEMI JOIN (SELECT {key} FROM decided WHERE __fate = 'accepted' AND __in_lake)
                    USING ({key})""",
                    [files],
                ).fetchall()
            ]
            new_parts = [p for p in new_parts if p not in affected]
            rest = writer.write(
                f"""SELECT {cols} FROM read_parquet(?) ANTI JOIN (SELECT {key} FROM decided
                WHERE __fate = 'accepted' AND __in_lake) USING ({key})""",
                [[str(self.root / p) for p in affected]],
            )
            new_parts += [rest] if rest else []
        new_parts += [accepted_part] if accepted_part else []
        if len(new_parts) > MAX_PARTS:
            compacted = writer.write(
                f"SELECT {cols} FROM read_parquet(?)", [[str(self.root / p) for p in new_parts]]
            )
            new_parts = [compacted] if compacted else []
        for table in ("checked", "firsts", "decided"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        return Merged(c, self.rejects, new_parts, accepted_part)


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_list(paths: list[str]) -> str:
    """A DuckDB list literal of file paths."""
    return "[" + ", ".join(_string(p) for p in paths) + "]"


class _PartWriter:
    """Writes numbered part files of one entity for one batch, flushed to disk."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, root: Path, entity: str, batch_id: str
    ) -> None:
        self.con = con
        self.root = root
        self.entity = entity
        self.batch_id = batch_id
        self.count = 0

    def write(self, query: str, params: list[Any] | None = None) -> str | None:
        """Write the rows of ``query`` to a new part; its relative path, or None when empty."""
        relative = f"{self.entity}/{self.batch_id}-{self.count}.parquet"
        self.count += 1
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        result = self.con.execute(
            f"COPY ({query}) TO {_string(str(path))} (FORMAT parquet, COMPRESSION zstd)",
            params or [],
        ).fetchone()
        if not result or not result[0]:
            path.unlink(missing_ok=True)
            return None
        fsync_path(path)
        return relative
