"""Merge one entity's checked rows of a batch into its current state, in DuckDB.

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

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from shopstar.contract import Entity
from shopstar.contract.validation import quote_ident
from shopstar.lake.checking import SEQ_SHIFT, check
from shopstar.lake.parts import PartWriter, sql_list
from shopstar.lake.raw import RawInput, Reject
from shopstar.lake.report import EntityCounts

MAX_PARTS = 8  # more live parts than this: compact all but the largest into one


@dataclass
class Merged:
    """Result of merging one entity: counts, rejected rows and the entity's new part list."""

    counts: EntityCounts
    rejects: list[tuple[str, Reject]]
    parts: list[str]
    accepted_part: str | None


def _cols(entity: Entity, prefix: str = "") -> str:
    return ", ".join(prefix + quote_ident(c) for c in entity.column_names)


class EntityMerge:
    """Validate, de-duplicate and write one entity's rows of a batch on connection ``con``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, entity: Entity, root: Path) -> None:
        self.con = con
        self.entity = entity
        self.root = root
        self.counts = EntityCounts(entity.name)
        self.rejects: list[tuple[str, Reject]] = []
        self._inputs: dict[int, RawInput] = {}
        self._checked: list[pa.Table] = []

    def add(self, raw: RawInput, index: int) -> None:
        """Validate ``raw``, the batch's ``index``-th input, and keep its checked rows."""
        self._inputs[index] = raw
        self.counts.read += raw.table.num_rows + len(raw.rejects)
        self.counts.rejected += len(raw.rejects)
        self.rejects.extend((raw.source, r) for r in raw.rejects)
        self.counts.skipped += len(raw.skipped)
        self._checked.append(check(self.con, raw, index))

    def _collect_rejects(self) -> None:
        found = self.con.execute(
            "SELECT __seq, __line, __reason FROM checked WHERE __reason IS NOT NULL ORDER BY __seq"
        ).fetchall()
        self.counts.rejected += len(found)
        by_input: dict[int, list[tuple[int, int, str]]] = {}
        for seq, line, reason in found:
            row_index = seq & ((1 << SEQ_SHIFT) - 1)
            by_input.setdefault(seq >> SEQ_SHIFT, []).append((row_index, line, reason))
        for index, rows in by_input.items():
            raw = self._inputs[index]
            taken = raw.table.take([r[0] for r in rows]).to_pylist()
            for (_, line, reason), values in zip(rows, taken, strict=True):
                row = {k: None if v is None else str(v) for k, v in values.items()}
                self.rejects.append((raw.source, Reject(line, row, reason)))

    def merge(self, parts: list[str], batch_id: str) -> Merged:
        """Decide every valid row's fate against the live ``parts`` and write the new parts."""
        con, entity, c = self.con, self.entity, self.counts
        checked = pa.concat_tables(self._checked) if self._checked else None
        if checked is None:
            return Merged(c, self.rejects, list(parts), None)
        con.register("checked", checked)
        self._collect_rejects()
        cols = _cols(entity)
        key = ", ".join(quote_ident(k) for k in entity.key)
        files = [str(self.root / p) for p in parts]
        valid = "checked WHERE __reason IS NULL"
        row = con.execute(
            f"SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT {key} FROM {valid})) "
            f"FROM {valid}"
        ).fetchall()
        n_valid, n_keys = row[0]
        writer = PartWriter(con, self.root, entity.name, batch_id)
        new_parts = list(parts)
        if not files and n_valid == n_keys:  # fast path: new keys, each once
            c.accepted = n_valid
            if n_valid < checked.num_rows:
                checked = checked.filter(pc.is_null(checked.column("__reason")))
            accepted_part = writer.write_table(checked.select(list(entity.column_names)))
        else:
            candidates = self._decide(files, n_valid, unique=n_valid == n_keys)
            accepted_part = (
                writer.write(
                    f"SELECT {cols} FROM {candidates} SEMI JOIN "
                    "(SELECT __seq FROM decided WHERE __accepted) USING (__seq)"
                )
                if c.accepted
                else None
            )
            replaced = f"SELECT {key} FROM decided WHERE __accepted AND __in_lake"
            if files and _count(con, replaced):
                affected = [
                    str(Path(name).relative_to(self.root))
                    for (name,) in con.execute(
                        f"""SELECT DISTINCT filename FROM read_parquet({sql_list(files)},
                        filename=true) SEMI JOIN ({replaced}) USING ({key})"""
                    ).fetchall()
                ]
                new_parts = [p for p in new_parts if p not in affected]
                affected_files = sql_list([str(self.root / p) for p in affected])
                rest = writer.write(
                    f"SELECT {cols} FROM read_parquet({affected_files}) "
                    f"ANTI JOIN ({replaced}) USING ({key})"
                )
                new_parts += [rest] if rest else []
        new_parts += [accepted_part] if accepted_part else []
        if len(new_parts) > MAX_PARTS:  # merge all but the largest part into one
            largest = max(new_parts, key=lambda p: pq.read_metadata(self.root / p).num_rows)
            small = [p for p in new_parts if p != largest]
            merged = sql_list([str(self.root / p) for p in small])
            compacted = writer.write(f"SELECT {cols} FROM read_parquet({merged})")
            new_parts = [largest] + ([compacted] if compacted else [])
        con.unregister("checked")
        for table in ("versions", "decided"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        return Merged(c, self.rejects, new_parts, accepted_part)

    def _decide(self, files: list[str], n_valid: int, *, unique: bool) -> str:
        """Fill table ``decided`` (key, ``__seq``, ``__in_lake``, ``__accepted``) with the
        valid rows that are not duplicates; return the SQL of the candidate rows."""
        con, entity, c = self.con, self.entity, self.counts
        cols = _cols(entity)
        key = ", ".join(quote_ident(k) for k in entity.key)
        if unique:  # no key twice in the batch, so no row twice either
            candidates = f"(SELECT {cols}, __seq FROM checked WHERE __reason IS NULL)"
        else:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE versions AS SELECT {cols}, max(__seq) AS __seq "
                "FROM checked WHERE __reason IS NULL GROUP BY ALL"
            )
            candidates = "versions"
        current = (
            f"(SELECT {cols} FROM read_parquet({sql_list(files)}))"
            if files
            else f"(SELECT {cols} FROM checked LIMIT 0)"
        )
        on = " AND ".join(f"f.{quote_ident(k)} = c.{quote_ident(k)}" for k in entity.key)
        same = " AND ".join(
            f"f.{quote_ident(col)} IS NOT DISTINCT FROM c.{quote_ident(col)}"
            for col in entity.column_names
            if col not in entity.key
        )
        k0 = quote_ident(entity.key[0])
        keys_f = ", ".join(f"f.{quote_ident(k)}" for k in entity.key)
        is_orders = entity.name == "orders"
        updated = "f.updated_at," if is_orders else ""
        lake_ts = "c.updated_at" if is_orders else "CAST(NULL AS TIMESTAMPTZ)"
        order = "updated_at DESC, __seq DESC" if is_orders else "__seq DESC"
        first = "TRUE" if unique else f"row_number() OVER (PARTITION BY {key} ORDER BY {order}) = 1"
        wins = "(__lake_ts IS NULL OR updated_at >= __lake_ts)" if is_orders else "TRUE"
        # duplicates (equal to the lake's row) take part in the ranking but are not kept
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE decided AS
            SELECT {key}, __seq, __in_lake, __accepted FROM (
                SELECT *, ({first} AND {wins}) AS __accepted FROM (
                    SELECT {keys_f}, f.__seq, {updated} c.{k0} IS NOT NULL AS __in_lake,
                           c.{k0} IS NOT NULL AND {same or "TRUE"} AS __same,
                           {lake_ts} AS __lake_ts
                    FROM {candidates} f LEFT JOIN {current} c ON {on}))
            WHERE NOT __same"""
        )
        ((accepted, kept),) = con.execute(
            "SELECT count(*) FILTER (WHERE __accepted), count(*) FROM decided"
        ).fetchall()
        c.accepted = int(accepted)
        c.superseded = int(kept) - c.accepted
        c.duplicate = n_valid - int(kept)
        return candidates


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    (row,) = con.execute(f"SELECT count(*) FROM ({query})").fetchall()
    return int(row[0])
