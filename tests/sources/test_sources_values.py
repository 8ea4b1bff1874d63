"""The export value parsers: numbers with thousands separators, amounts, percents, dates, flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopstar.sources.values import (
    BadValue,
    is_empty,
    parse_count,
    parse_datetime,
    parse_flag,
    parse_money,
    parse_number,
    parse_percent,
)

UTC = ZoneInfo("UTC")


def grouped(n: int) -> str:
    """``9510`` written the way the exports do: ``9,510``."""
    return f"{n:,}"


@given(st.integers(min_value=0, max_value=10**15))
def test_count_reads_plain_and_grouped_integers(n: int) -> None:
    assert parse_count(str(n)) == n
    assert parse_count(grouped(n)) == n


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=99))
def test_money_reads_grouped_amounts_exactly(units: int, cents: int) -> None:
    text = f"{grouped(units)}.{cents:02d}"
    assert parse_money(text) == Decimal(units) + Decimal(cents) / 100
    assert parse_money(text.replace(",", "")) == parse_money(text)


@given(st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False))
def test_percent_is_the_rate_divided_by_100(percent: Decimal) -> None:
    text = f"{format(percent, 'f')}%"
    rate = parse_percent(text)
    assert rate * 100 == percent
    assert Decimal(0) <= rate <= Decimal(1)


@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["UTC", "Asia/Jakarta", "Europe/London", "America/Los_Angeles"]),
)
def test_datetime_round_trips_through_the_export_format(moment: dt.datetime, zone: str) -> None:
    moment = moment.replace(microsecond=0)
    tz = ZoneInfo(zone)
    parsed = parse_datetime(moment.strftime("%d/%m/%Y %H:%M:%S"), tz)
    assert parsed.utcoffset() == dt.timedelta(0)
    assert parsed == moment.replace(tzinfo=tz)


@given(st.text(alphabet="0123456789,.%/ -abc", max_size=12))
def test_parsers_either_parse_or_say_why(text: str) -> None:
    for parse in (parse_number, parse_count, parse_money, parse_percent, parse_flag):
        try:
            parse(text)
        except BadValue as exc:
            assert str(exc)
    try:
        parse_datetime(text, UTC)
    except BadValue as exc:
        assert "DD/MM/YYYY HH:MM:SS" in str(exc)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_money, "12,5", "is not an amount"),
        (parse_money, "1.999", "more than 2 decimal places"),
        (parse_money, "-3.00", "is not an amount"),
        (parse_count, "2.5", "is not a whole number"),
        (parse_count, "95,10", "is not a whole number"),
        (parse_percent, "15", "is not a percentage like 15%"),
        (parse_percent, "150%", "more than 100%"),
        (parse_flag, "Maybe", "is not Yes or No"),
        (lambda t: parse_datetime(t, UTC), "31/02/2026 10:00:00", "DD/MM/YYYY HH:MM:SS"),
        (lambda t: parse_datetime(t, UTC), "2026-03-01 10:00:00", "DD/MM/YYYY HH:MM:SS"),
    ],
)
def test_bad_values_are_refused_with_a_reason(parse: object, text: str, message: str) -> None:
    with pytest.raises(BadValue, match=message):
        parse(text)  # type: ignore[operator]


def test_examples_from_the_exports() -> None:
    assert parse_count("9,510") == 9510
    assert parse_money("1,299.9") == Decimal("1299.90")
    assert parse_percent("15%") == Decimal("0.15")
    assert parse_percent("7.5 %") == Decimal("0.075")
    assert parse_flag("Yes") is True
    assert parse_flag("no") is False
    assert is_empty("/")
    assert is_empty(" ")
    assert parse_datetime("01/03/2026 17:00:00", ZoneInfo("Asia/Jakarta")) == dt.datetime(
        2026, 3, 1, 10, 0, tzinfo=dt.UTC
    )
    assert parse_datetime("1/3/2026", UTC) == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
