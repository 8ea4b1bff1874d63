"""Validation rules of CONTRACT.md §1 as vectorised DuckDB SQL.

For every contract column, :func:`column_rule` gives SQL for the column's text ``S``, its typed
value ``V`` (computed once per row), a cheap ``bad`` condition, and a ``reason`` that names the
column, the value and the rule in plain English (``unit_price: "12,5" is not a decimal``). The
reason is evaluated only for rows where ``bad`` holds. Input columns are either text (CSV, JSON
Lines, adapters) or already of the canonical Arrow type (Parquet): typed input skips parsing
and keeps the range checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from shopstar.contract.schemas import Column, Kind

MAX_ID_LENGTH = 128
MAX_QUOTED = 60  # longest value quoted in a reason
S = "\x00S"  # placeholder: the column's text (NULL when empty)
V = "\x00V"  # placeholder: the column's typed value


def quote_ident(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_string(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Rule:
    """How one column is checked. ``text`` and ``value`` are computed per row; ``bad`` and
    ``reason`` refer to them through the placeholders :data:`S` and :data:`V`."""

    text: str
    value: str
    bad: str
    reason: str

    def bind(self, s: str, v: str) -> tuple[str, str]:
        """``bad`` and ``reason`` with the placeholders replaced by column references."""
        return (
            self.bad.replace(S, s).replace(V, v),
            self.reason.replace(S, s).replace(V, v),
        )


def sql_type(col: Column) -> str:
    """The DuckDB type of the canonical column."""
    return {
        Kind.ID: "VARCHAR",
        Kind.STR: "VARCHAR",
        Kind.ENUM: "VARCHAR",
        Kind.CURRENCY: "VARCHAR",
        Kind.TS: "TIMESTAMPTZ",
        Kind.DATE: "DATE",
        Kind.MONEY: "DECIMAL(18,2)",
        Kind.RATE: "DECIMAL(9,6)",
        Kind.INT: "BIGINT",
    }[col.kind]


def _says(col: Column, what: str, text: str = S) -> str:
    """SQL for ``<col>: "<text>" <what>``, the text shortened when long."""
    short = f"CASE WHEN length({text}) > {MAX_QUOTED} THEN left({text}, {MAX_QUOTED}) || '…'"
    shown = f"{short} ELSE {text} END"
    head, tail = sql_string(col.name + ': "'), sql_string('" ' + what)
    return f"{head} || {shown} || {tail}"


def _cases(pairs: list[tuple[str, str]]) -> str:
    return "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, r in pairs) + " END"


def column_rule(col: Column, input_type: pa.DataType | None) -> Rule:
    """The rule for ``col`` whose input has Arrow type ``input_type`` (None: column absent)."""
    missing = sql_string(f"{col.name}: missing value")
    null = f"CAST(NULL AS {sql_type(col)})"
    if input_type is None:
        return Rule("CAST(NULL AS VARCHAR)", null, "FALSE" if col.nullable else "TRUE", missing)
    src = quote_ident(col.name)
    if not (pa.types.is_string(input_type) or pa.types.is_large_string(input_type)):
        return _typed_rule(col, src, missing)
    value, bad, reasons = _text_rule(col)
    if col.nullable:
        return Rule(f"NULLIF({src}, '')", value, f"{S} IS NOT NULL AND ({bad})", reasons)
    return Rule(
        f"NULLIF({src}, '')",
        value,
        f"{S} IS NULL OR ({bad})",
        f"CASE WHEN {S} IS NULL THEN {missing} ELSE {reasons} END",
    )


def _text_rule(col: Column) -> tuple[str, str, str]:
    """(value, bad when present, reason when bad) for a text input."""
    kind = col.kind
    if kind is Kind.ID:
        return (
            S,
            f"length({S}) > {MAX_ID_LENGTH}",
            _says(col, f"is longer than {MAX_ID_LENGTH} characters"),
        )
    if kind is Kind.STR:
        return S, "FALSE", "NULL"
    if kind is Kind.ENUM:
        allowed = ", ".join(sql_string(c) for c in col.choices)
        return S, f"{S} NOT IN ({allowed})", _says(col, "is not one of " + ", ".join(col.choices))
    if kind is Kind.CURRENCY:
        return (  # upper-cased by the caller (cheaper outside SQL)
            S,
            f"NOT regexp_full_match({S}, '[A-Za-z]{{3}}')",
            _says(col, "is not an ISO-4217 currency code"),
        )
    if kind is Kind.TS:
        return (
            f"TRY_CAST({S} AS TIMESTAMPTZ)",
            f"{V} IS NULL",
            _says(col, "is not an ISO-8601 timestamp"),
        )
    if kind is Kind.DATE:
        ok = f"regexp_full_match({S}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
        return (
            f"CASE WHEN {ok} THEN TRY_CAST({S} AS DATE) END",
            f"{V} IS NULL",
            _says(col, "is not a date (YYYY-MM-DD)"),
        )
    if kind is Kind.MONEY:
        return _decimal_rule(col, digits=16, places=2, at_most_one=False)
    if kind is Kind.RATE:
        return _decimal_rule(col, digits=1, places=6, at_most_one=True)
    if kind is Kind.INT:
        value = f"CASE WHEN regexp_full_match({S}, '[0-9]{{1,18}}') THEN CAST({S} AS BIGINT) END"
        pairs = [
            (f"regexp_full_match({S}, '-[0-9]+')", _says(col, "is negative")),
            (f"{V} IS NULL", _says(col, "is not an integer")),
        ]
        bad = f"{V} IS NULL"
        if col.positive:
            pairs.append((f"{V} = 0", _says(col, "must be greater than 0")))
            bad = f"{V} IS NULL OR {V} = 0"
        return value, bad, _cases(pairs)
    raise AssertionError(kind)


def _decimal_rule(
    col: Column, *, digits: int, places: int, at_most_one: bool
) -> tuple[str, str, str]:
    number = r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
    ok = rf"([0-9]{{1,{digits}}}(\.[0-9]{{0,{places}}})?|\.[0-9]{{1,{places}}})"
    value = f"CASE WHEN regexp_full_match({S}, '{ok}') THEN CAST({S} AS {sql_type(col)}) END"
    pairs = [
        (f"NOT regexp_full_match({S}, '{number}')", _says(col, "is not a decimal")),
        (f"starts_with({S}, '-')", _says(col, "is negative")),
        (
            rf"regexp_full_match({S}, '[0-9]*\.[0-9]{{{places + 1},}}')",
            _says(col, f"has more than {places} decimal places"),
        ),
        ("TRUE", _says(col, "is above 1" if at_most_one else "is too large")),
    ]
    bad = f"{V} IS NULL OR {V} > 1" if at_most_one else f"{V} IS NULL"
    return value, bad, _cases(pairs)


def _typed_rule(col: Column, src: str, missing: str) -> Rule:
    """Range checks only; here ``S`` is the typed input column itself."""
    text = f"CAST({V} AS VARCHAR)"
    pairs: list[tuple[str, str]] = [] if col.nullable else [(f"{V} IS NULL", missing)]
    if col.kind in (Kind.MONEY, Kind.INT):
        pairs.append((f"{V} < 0", _says(col, "is negative", text)))
    if col.kind is Kind.RATE:
        pairs.append((f"{V} < 0 OR {V} > 1", _says(col, "is not between 0 and 1", text)))
    if col.kind is Kind.INT and col.positive:
        pairs.append((f"{V} = 0", _says(col, "must be greater than 0", text)))
    value = f"CAST({S} AS {sql_type(col)})"
    if not pairs:
        return Rule(src, value, "FALSE", "NULL")
    bad = " OR ".join(f"({c})" for c, _ in pairs)
    return Rule(src, value, bad, _cases(pairs))


def typed_input(col: Column, input_type: pa.DataType) -> pa.DataType | None:
    """The Arrow type a non-text input column is converted to before validation, or None when
    it must go through text (floats, other decimals, mismatched types)."""
    t = input_type
    kind = col.kind
    if kind in (Kind.MONEY, Kind.RATE) and pa.types.is_decimal(t):
        target = col.arrow_type
        fits = t.precision - t.scale <= target.precision - target.scale
        return target if t.scale <= target.scale and fits else None
    if kind is Kind.INT and pa.types.is_integer(t):
        return pa.int64()
    if kind is Kind.TS and pa.types.is_timestamp(t):
        return col.arrow_type
    if kind is Kind.DATE and (pa.types.is_date32(t) or pa.types.is_date64(t)):
        return pa.date32()
    return None
