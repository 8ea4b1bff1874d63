"""Column types that behave the same on SQLite and PostgreSQL: UTC datetimes and exact decimals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime; naive values are refused, results are always aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: ShopStar stores UTC-aware datetimes")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A fixed-point decimal: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float)."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__()
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(
                f"{value!r}: money and rates must be Decimal, not {type(value).__name__}"
            )
        quantum = Decimal(1).scaleb(-self.scale)
        exact = value.quantize(quantum)
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-self.scale))


def Money() -> ExactDecimal:
    """An amount of money: 18 digits, 2 decimal places."""
    return ExactDecimal(18, 2)


def Rate() -> ExactDecimal:
    """A rate in [0, 1]: 9 digits, 6 decimal places."""
    return ExactDecimal(9, 6)


def utcnow() -> dt.datetime:
    """The current time, UTC-aware."""
    return dt.datetime.now(dt.UTC)
