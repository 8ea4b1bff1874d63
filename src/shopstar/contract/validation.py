"""Validation rules of CONTRACT.md §1 as vectorised DuckDB SQL.

For every contract column, :func:`column_rule` gives the SQL expression of the typed value and
the list of ``(failing condition, reason)`` checks. Reasons name the column, the value and the
rule in plain English (``unit_price: "12,5" is not a decimal``); they are evaluated only for
the rows that fail. Input columns are either text (CSV, JSON Lines, adapters) or already of the
canonical Arrow type (Parquet); typed input skips parsing and keeps the range checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from shopstar.contract.schemas import Column, Kind

MAX_ID_LENGTH = 128
MAX_QUOTED = 60  # longest value quoted in a reason


def quote_ident(name: str) -> str:
    """A DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Rule:
    """How one column is checked: ``value`` is the typed SQL value, ``checks`` fail in order."""

    value: str
    checks: tuple[tuple[str, str], ...]


def _quoted(col: Column, raw: str, what: str) -> str:
    long = f"length({raw}) > {MAX_QUOTED}"
    shown = f"CASE WHEN {long} THEN left({raw}, {MAX_QUOTED}) || '…' ELSE {raw} END"
    return f"{_lit(col.name + ': ' + chr(34))} || {shown} || {_lit(chr(34) + ' ' + what)}"


def column_rule(col: Column, input_type: pa.DataType | None) -> Rule:
    """The rule for ``col`` whose input has Arrow type ``input_type`` (None: column absent)."""
    missing = _lit(f"{col.name}: missing value")
    if input_type is None:
        absent = () if col.nullable else (("TRUE", missing),)
        return Rule(f"CAST(NULL AS {sql_type(col)})", absent)
    src = quote_ident(col.name)
    if not pa.types.is_string(input_type) and not pa.types.is_large_string(input_type):
        return _typed_rule(col, src, missing)
    s = f"NULLIF(trim({src}), '')"
    required: list[tuple[str, str]] = [] if col.nullable else [(f"{s} IS NULL", missing)]
    value, checks = _text_rule(col, s)
    # a failing check only applies to a present value
    guarded = [(f"{s} IS NOT NULL AND ({cond})", reason) for cond, reason in checks]
    return Rule(value, tuple(required + guarded))


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


def _text_rule(col: Column, s: str) -> tuple[str, list[tuple[str, str]]]:
    kind = col.kind
    if kind is Kind.ID:
        return s, [
            (
                f"length({s}) > {MAX_ID_LENGTH}",
                _quoted(col, s, f"is longer than {MAX_ID_LENGTH} characters"),
            )
        ]
    if kind is Kind.STR:
        return s, []
    if kind is Kind.ENUM:
        allowed = ", ".join(_lit(c) for c in col.choices)
        return s, [
            (f"{s} NOT IN ({allowed})", _quoted(col, s, "is not one of " + ", ".join(col.choices)))
        ]
    if kind is Kind.CURRENCY:
        return f"upper({s})", [
            (
                f"NOT regexp_full_match({s}, '[A-Za-z]{{3}}')",
                _quoted(col, s, "is not an ISO-4217 currency code"),
            )
        ]
    if kind is Kind.TS:
        value = f"TRY_CAST({s} AS TIMESTAMPTZ)"
        return value, [(f"{value} IS NULL", _quoted(col, s, "is not an ISO-8601 timestamp"))]
    if kind is Kind.DATE:
        value = f"TRY_CAST({s} AS DATE)"
        ok = f"regexp_full_match({s}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND {value} IS NOT NULL"
        return f"CASE WHEN {ok} THEN {value} END", [
            (f"NOT ({ok})", _quoted(col, s, "is not a date (YYYY-MM-DD)"))
        ]
    if kind is Kind.MONEY:
        return _decimal_rule(col, s, digits=16, places=2, at_most_one=False)
    if kind is Kind.RATE:
        return _decimal_rule(col, s, digits=1, places=6, at_most_one=True)
    if kind is Kind.INT:
        value = f"TRY_CAST({s} AS BIGINT)"
        checks = [
            (
                f"regexp_full_match({s}, '-[0-9]+')",
                _quoted(col, s, "is negative"),
            ),
            (
                f"NOT regexp_full_match({s}, '[0-9]{{1,18}}')",
                _quoted(col, s, "is not an integer"),
            ),
        ]
        if col.positive:
            checks.append((f"{value} = 0", _quoted(col, s, "must be greater than 0")))
        return f"CASE WHEN regexp_full_match({s}, '[0-9]{{1,18}}') THEN {value} END", checks
    raise AssertionError(kind)


def _decimal_rule(
    col: Column, s: str, *, digits: int, places: int, at_most_one: bool
) -> tuple[str, list[tuple[str, str]]]:
    number = r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
    ok = rf"([0-9]{{1,{digits}}}(\.[0-9]{{0,{places}}})?|\.[0-9]{{1,{places}}})"
    value = f"CASE WHEN regexp_full_match({s}, '{ok}') THEN CAST({s} AS {sql_type(col)}) END"
    checks = [
        (f"NOT regexp_full_match({s}, '{number}')", _quoted(col, s, "is not a decimal")),
        (f"starts_with({s}, '-')", _quoted(col, s, "is negative")),
        (
            rf"regexp_full_match({s}, '[0-9]*\.[0-9]{{{places + 1},}}')",
            _quoted(col, s, f"has more than {places} decimal places"),
        ),
    ]
    if at_most_one:
        checks.append(
            (f"NOT regexp_full_match({s}, '{ok}') OR {value} > 1", _quoted(col, s, "is above 1"))
        )
    else:
        checks.append((f"NOT regexp_full_match({s}, '{ok}')", _quoted(col, s, "is too large")))
    return value, checks


def _typed_rule(col: Column, src: str, missing: str) -> Rule:
    checks: list[tuple[str, str]] = [] if col.nullable else [(f"{src} IS NULL", missing)]
    text = f"CAST({src} AS VARCHAR)"
    if col.kind in (Kind.MONEY, Kind.INT):
        checks.append((f"{src} < 0", _quoted(col, text, "is negative")))
    if col.kind is Kind.RATE:
        checks.append((f"{src} < 0 OR {src} > 1", _quoted(col, text, "is not between 0 and 1")))
    if col.kind is Kind.INT and col.positive:
        checks.append((f"{src} = 0", _quoted(col, text, "must be greater than 0")))
    return Rule(f"CAST({src} AS {sql_type(col)})", tuple(checks))


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
