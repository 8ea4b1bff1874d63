"""One data row of an export, read by English column name; errors quote the file's column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from shopstar.sources.headers import Header, normalise
from shopstar.sources.values import (
    EMPTY_MARKS,
    BadValue,
    parse_count,
    parse_datetime,
    parse_flag,
    parse_money,
    parse_percent,
)

MAX_ID_LENGTH = 128
T = TypeVar("T")


class RowError(ValueError):
    """The row cannot be mapped; the message is the reject reason."""


@dataclass(frozen=True)
class Row:
    """The cells of one row and the header they sit under."""

    header: Header
    cells: list[str]
    tz: ZoneInfo

    def as_dict(self) -> dict[str, str]:
        """The row as the file wrote it: {column as written: cell}."""
        labels = [self.header.label(name) for name in self.header.positions]
        values = [self._cell(name) for name in self.header.positions]
        return dict(zip(labels, values, strict=True))

    def _cell(self, english: str) -> str:
        index = self.header.index(english)
        return self.cells[index] if index < len(self.cells) else ""

    def _fail(self, english: str, value: str, problem: str) -> RowError:
        return RowError(f'{self.header.label(english)}: "{value}" {problem}')

    def optional(self, english: str) -> str | None:
        """The stripped text, or None when the column is absent or the cell says "no value"."""
        index = self.header.positions.get(normalise(english))
        if index is None or index >= len(self.cells):
            return None
        value = self.cells[index].strip()
        return None if value in EMPTY_MARKS else value

    def text(self, english: str) -> str:
        """Required text; an empty cell is an error."""
        value = self.optional(english)
        if value is None:
            raise RowError(f"{self.header.label(english)}: is empty")
        return value

    def ident(self, english: str) -> str:
        """A required identifier (non-empty, at most 128 characters)."""
        value = self.text(english)
        if len(value) > MAX_ID_LENGTH:
            raise self._fail(english, value[:20] + "...", "is longer than 128 characters")
        return value

    def _parsed(self, english: str, parse: Callable[[str], T]) -> T:
        value = self.text(english)
        try:
            return parse(value)
        except BadValue as exc:
            raise self._fail(english, value, str(exc)) from None

    def count(self, english: str, *, default: int | None = None) -> int:
        """A whole number; ``default`` when the cell is empty (required otherwise)."""
        if default is not None and self.optional(english) is None:
            return default
        return self._parsed(english, parse_count)

    def quantity(self, english: str) -> int:
        """A whole number of at least 1."""
        result = self.count(english)
        if result < 1:
            raise self._fail(english, self.text(english), "is not a quantity of at least 1")
        return result

    def money(self, english: str) -> Decimal:
        """A required amount."""
        return self._parsed(english, parse_money)

    def percent(self, english: str) -> Decimal | None:
        """A rate written as a percentage, or None when empty or absent."""
        if self.optional(english) is None:
            return None
        return self._parsed(english, parse_percent)

    def flag(self, english: str) -> bool:
        """A ``Yes``/``No`` flag; an absent column or empty cell is No."""
        if self.optional(english) is None:
            return False
        return self._parsed(english, parse_flag)

    def timestamp(self, english: str) -> dt.datetime:
        """A required ``DD/MM/YYYY HH:MM:SS`` time, in UTC."""
        return self._parsed(english, lambda text: parse_datetime(text, self.tz))

    def optional_timestamp(self, english: str) -> dt.datetime | None:
        """A time, or None when the column is absent or the cell is empty or ``/``."""
        return None if self.optional(english) is None else self.timestamp(english)

    def choice(self, english: str, mapping: Mapping[str, str]) -> str:
        """Map the cell (compared ignoring case, blanks, ``-`` and ``_``) through ``mapping``."""
        value = self.text(english)
        mapped = mapping.get(status_key(value))
        if mapped is None:
            raise self._fail(english, value, "is not a known status")
        return mapped


def status_key(text: str) -> str:
    """``To-SETTLE``, ``to settle`` and ``To_Settle`` all compare as ``to settle``."""
    return " ".join(text.replace("-", " ").replace("_", " ").split()).casefold()
