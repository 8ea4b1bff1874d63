"""Validate an input's rows against the contract, in one vectorised DuckDB pass.

The result keeps every row, typed, with ``__seq`` (input index << 40 | row index), ``__line``
and ``__reason`` (NULL for a valid row, else the first broken rule in plain English).
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopstar.contract import ENTITIES, Entity, Kind
from shopstar.contract.validation import S, column_rule, quote_ident, typed_input
from shopstar.errors import UnreadableInput
from shopstar.lake.raw import RawInput

SEQ_SHIFT = 40  # __seq = input index << 40 | row index


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
            columns[col.name] = _as_text(values, raw.source, col.name)
    n = raw.table.num_rows
    columns["__seq"] = pa.array(np.arange(n, dtype=np.int64) + (index << SEQ_SHIFT))
    lines = (
        np.arange(1, n + 1, dtype=np.int64)
        if raw.lines is None
        else np.asarray(raw.lines, dtype=np.int64)
    )
    if len(lines) != n:
        raise ValueError(f"{raw.source}: {len(lines)} line numbers for {n} rows")
    columns["__line"] = pa.array(lines)
    return pa.table(columns)


def _as_text(values: pa.ChunkedArray, source: str, name: str) -> pa.ChunkedArray:
    try:
        return values.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise UnreadableInput(f"{source}: column {name} holds {values.type}, not values") from None


def checked_schema(entity: Entity) -> pa.Schema:
    """The entity's columns (all nullable), then ``__seq``, ``__line`` and ``__reason``."""
    fields = [pa.field(f.name, f.type) for f in entity.schema]
    extra = [pa.field("__seq", pa.int64()), pa.field("__line", pa.int64())]
    return pa.schema([*fields, *extra, pa.field("__reason", pa.string())])


def check(con: duckdb.DuckDBPyConnection, raw: RawInput, index: int) -> pa.Table:
    """Rows of ``raw`` (the batch's ``index``-th input), typed and with their ``__reason``."""
    entity = ENTITIES[raw.entity]
    table = prepare(raw, index)
    types = {f.name: f.type for f in table.schema}
    rules = [column_rule(c, types.get(c.name)) for c in entity.columns]
    texts = ", ".join(f"{rule.text} AS __s{i}" for i, rule in enumerate(rules))
    values = ", ".join(
        f"__s{i}, {rule.value.replace(S, f'__s{i}')} AS __v{i}" for i, rule in enumerate(rules)
    )
    checks = [rule.bind(f"__s{i}", f"__v{i}") for i, rule in enumerate(rules)]
    checks = [(bad, why) for bad, why in checks if bad != "FALSE"]
    reason = (
        "CASE " + " ".join(f"WHEN {bad} THEN {why}" for bad, why in checks) + " END"
        if checks
        else "CAST(NULL AS VARCHAR)"
    )
    # text kept as is (ids, names, enums) is taken from the input, not copied out of DuckDB
    passthrough = {
        c.name
        for c, rule in zip(entity.columns, rules, strict=True)
        if rule.value == S and c.name in types and pa.types.is_string(types[c.name])
    }
    typed = "".join(
        f"__v{i} AS {quote_ident(c)}, "
        for i, c in enumerate(entity.column_names)
        if c not in passthrough
    )
    con.register("raw_input", table)
    result = con.sql(
        f"""SELECT {typed}__seq, __line, {reason} AS __reason FROM (
            SELECT {values}, __seq, __line FROM (
                SELECT {texts}, __seq, __line FROM raw_input))"""
    ).to_arrow_table()
    con.unregister("raw_input")
    same_order = pc.all(pc.equal(result.column("__seq"), table.column("__seq"))).as_py()
    if result.num_rows != table.num_rows or same_order is False:
        raise AssertionError("validation changed the order of the rows")
    columns = {}
    for col in entity.columns:
        if col.name not in passthrough:
            columns[col.name] = result.column(col.name)
        elif col.nullable:  # an empty field is a missing value
            text = table.column(col.name)
            columns[col.name] = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
        elif col.kind is Kind.CURRENCY:  # codes are stored upper-case
            text = table.column(col.name)
            lower = pc.any(pc.match_substring_regex(text, "[a-z]")).as_py()
            columns[col.name] = pc.utf8_upper(text) if lower else text
        else:  # rows where it is empty are rejected
            columns[col.name] = table.column(col.name)
    for extra in ("__seq", "__line", "__reason"):
        columns[extra] = result.column(extra)
    return pa.table(columns).cast(checked_schema(entity))
