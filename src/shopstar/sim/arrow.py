"""Exact Arrow columns from simulator arrays: ids, decimals from integer cents, UTC timestamps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopstar.contract import MONEY, RATE
from shopstar.contract.schemas import TIMESTAMP
from shopstar.sim.model import IntArray


def ids(prefix: str, index: IntArray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``index`` (``cr-00042``); null where ``index`` is negative."""
    arr = pa.array(index, type=pa.int64(), mask=index < 0)
    digits = pc.utf8_lpad(pc.cast(arr, pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def id_width(n: int) -> int:
    """Digits needed to number ``n`` things, at least 4."""
    return max(4, len(str(max(n - 1, 0))))


def _decimal(units: IntArray, typ: pa.DataType, mask: np.ndarray | None) -> pa.Array:
    """Decimal128 built exactly from integers in the type's smallest unit (cents, millionths)."""
    v = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty(2 * len(v), dtype=np.int64)
    words[0::2] = v
    words[1::2] = v >> 63  # sign extension to 128 bits
    arr = pa.Array.from_buffers(typ, len(v), [None, pa.py_buffer(words.tobytes())])
    if mask is not None and mask.any():
        arr = pc.if_else(pa.array(mask), pa.scalar(None, typ), arr)
    return arr


def money(cents: IntArray) -> pa.Array:
    """A ``money`` column from integer cents."""
    return _decimal(cents, MONEY, None)


def rate(millionths: IntArray) -> pa.Array:
    """A ``rate`` column from integer millionths; null where negative."""
    return _decimal(millionths, RATE, millionths < 0)


def timestamps(us: IntArray) -> pa.Array:
    """A UTC timestamp column from microseconds since the epoch."""
    return pa.array(us, type=TIMESTAMP)


def dates(days_since_epoch: IntArray) -> pa.Array:
    """A date column from days since 1970-01-01."""
    return pa.array(days_since_epoch.astype(np.int32), type=pa.date32())


def choices(codes: IntArray, labels: tuple[str, ...]) -> pa.Array:
    """Strings ``labels[code]``; null where the code is negative."""
    dictionary = pa.DictionaryArray.from_arrays(
        pa.array(codes, type=pa.int32(), mask=codes < 0), pa.array(labels)
    )
    return dictionary.cast(pa.string())
