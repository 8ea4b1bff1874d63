"""Parse the cell values TikTok Shop exports write into canonical contract text.

Every parser takes the cell text and returns a Python value, or raises :class:`BadValue`
whose message completes ``<column>: "<value>" <message>`` (the caller knows the column).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

EMPTY_MARKS = frozenset({"", "/", "-", "--"})
"""What the exports write for "no value" (a date that has not happened yet is ``/``)."""

_PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_FLAGS = {"yes": True, "y": True, "ya": True, "no": False, "n": False, "tidak": False}
RATE_PLACES = 6
MONEY_PLACES = 2


class BadValue(ValueError):
    """A cell that does not parse; the message says what it should have been."""


def is_empty(text: str) -> bool:
    """True for a blank cell or one of the exports' "no value" marks."""
    return text.strip() in EMPTY_MARKS


def parse_number(text: str) -> Decimal:
    """A non-negative decimal, with or without thousands separators (``9,510.25``)."""
    value = text.strip()
    if _GROUPED_NUMBER.fullmatch(value):
        value = value.replace(",", "")
    elif not _PLAIN_NUMBER.fullmatch(value):
        raise BadValue("is not a number (expected digits, optionally 9,510.25 style)")
    return Decimal(value)


def parse_count(text: str) -> int:
    """A non-negative whole number, thousands separators allowed (``9,510``)."""
    try:
        number = parse_number(text)
    except BadValue:
        raise BadValue("is not a whole number") from None
    if number != number.to_integral_value():
        raise BadValue("is not a whole number")
    return int(number)


def parse_money(text: str) -> Decimal:
    """A non-negative amount with at most two decimal places (``1,299.90``)."""
    try:
        number = parse_number(text)
    except BadValue:
        raise BadValue("is not an amount (expected e.g. 1,299.90)") from None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MONEY_PLACES:
        raise BadValue("has more than 2 decimal places")
    return number.quantize(Decimal("0.01"))


def parse_percent(text: str) -> Decimal:
    """A percentage such as ``15%`` or ``7.5 %`` as a rate in [0, 1] (``0.15``)."""
    match = _PERCENT.fullmatch(text.strip())
    if match is None:
        raise BadValue("is not a percentage like 15%")
    rate = Decimal(match.group(1)) / 100
    if rate > 1:
        raise BadValue("is more than 100%")
    exponent = rate.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -RATE_PLACES:
        raise BadValue("has more than 4 decimal places of a percent")
    return rate


def parse_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """A ``DD/MM/YYYY HH:MM:SS`` (or ``DD/MM/YYYY``) local time in ``tz``, returned in UTC."""
    match = _DATETIME.fullmatch(text.strip())
    if match is None:
        raise BadValue("is not a DD/MM/YYYY HH:MM:SS date")
    day, month, year, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        local = dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        raise BadValue("is not a DD/MM/YYYY HH:MM:SS date") from None
    return local.astimezone(dt.UTC)


def parse_flag(text: str) -> bool:
    """``Yes``/``No`` (any case; ``Y``/``N`` and Indonesian ``Ya``/``Tidak`` too)."""
    flag = _FLAGS.get(text.strip().casefold())
    if flag is None:
        raise BadValue("is not Yes or No")
    return flag
