"""Read JSON Lines into text columns with pyarrow's JSON reader, keeping the per-line rules.

The file is read in blocks of whole lines (about 16 MiB). A block is handed to
``pyarrow.json.read_json`` (C++, multi-threaded) with an explicit schema: every contract column
is text. JSON numbers and ``true``/``false`` keep their exact text (``12.50`` stays ``12.50``):
before parsing, each bare value is checked in bulk against the JSON grammar and put in quotes.

Lines pyarrow must not take as they are — not an object, bytes that are not UTF-8, control
characters, a bad token, a nested value, a key given twice, anything pyarrow refuses — are
narrowed down by halving the failing run of lines, and the last few hundred lines around them
are read one by one by :func:`parse_line`, which gives the same rows and the same reasons
(with line numbers) as the line-by-line reader always did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from shopstar.contract import ENTITIES
from shopstar.errors import UnreadableInput
from shopstar.lake.raw import RawInput, Reject

BLOCK = 1 << 24  # bytes of whole lines per block
SMALL_RUN = 256  # a failing run of at most this many lines is read line by line
BOM = b"\xef\xbb\xbf"
JSON_SPACE = b" \t\r\n"
TOKEN_BYTES = b"0123456789+-.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
NUMBER = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
QUOTE, BACKSLASH, COLON, OPEN, CLOSE = (ord(c) for c in '"\\:{}')

Array = np.ndarray[Any, Any]


def _table(members: bytes) -> Array:
    """A lookup table: ``table[byte]`` is True for the bytes in ``members``."""
    table = np.zeros(256, bool)
    table[np.frombuffer(members, np.uint8)] = True
    return table


IS_SPACE = _table(JSON_SPACE)
IS_TOKEN = _table(TOKEN_BYTES)


def lossy(value: bytes | None) -> str | None:
    """Bytes as text, undecodable bytes replaced (for quoting a bad line)."""
    return None if value is None else value.decode("utf-8", errors="replace")


def json_text(value: Any) -> str | None:
    """A parsed JSON value as the text a contract column gets (numbers arrive as text)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def parse_line(number: int, raw: bytes) -> dict[str, str | None] | Reject | None:
    """One physical line: its row, a :class:`Reject` with the reason, or None when blank."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Reject(number, {"line": lossy(raw)}, "line is not valid UTF-8 text")
    if not text.strip():
        return None
    try:
        obj = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as exc:
        return Reject(number, {"line": text.rstrip()}, f"not valid JSON ({exc.msg})")
    if not isinstance(obj, dict):
        return Reject(number, {"line": text.rstrip()}, "line is not a JSON object")
    row = {name: json_text(value) for name, value in obj.items()}
    try:
        json.dumps(row, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        reason = "not valid JSON (a \\u escape is half a surrogate pair, not a character)"
        return Reject(number, {"line": text.rstrip()}, reason)
    return row


@dataclass
class _Collected:
    """What the blocks of one file gave: pyarrow tables, rows read one by one, rejects."""

    entity: str
    small_run: int
    tables: list[tuple[pa.Table, Array]] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str | None]]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    present: set[str] = field(default_factory=set)  # keys written in the fast-read lines
    first_keys: list[str] | None = None
    text_columns: list[str] = field(default_factory=list)  # read as text: contract + extras

    def __post_init__(self) -> None:
        self.text_columns = list(ENTITIES[self.entity].column_names)

    @property
    def schema(self) -> pa.Schema:
        """Every column read so far, as text."""
        return pa.schema([(n, pa.string()) for n in self.text_columns])


def read_jsonl(
    path: Path, entity: str, *, block_size: int = BLOCK, small_run: int = SMALL_RUN
) -> RawInput:
    """Read ``path`` (JSON Lines) as text columns of ``entity``, with each row's line number.

    ``block_size`` (bytes read at a time) and ``small_run`` (lines read one by one around a
    line pyarrow cannot take) change the speed, never the result.
    """
    found = _Collected(entity, small_run)
    for first_line, data in _blocks(path, block_size):
        _read_block(found, data, first_line)
    if not found.tables and not found.rows and not found.rejects:
        raise UnreadableInput(f"{path}: file is empty (no JSON objects)")
    table, lines = _assemble(found)
    return RawInput(entity, path.name, table, lines, found.rejects)


def _blocks(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    """``(number of its first line, bytes)`` of blocks of whole lines; the BOM removed."""
    line, rest = 1, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            data = (rest + chunk) if rest else chunk
            if line == 1 and not rest:
                data = data.removeprefix(BOM)
            cut = data.rfind(b"\n") + 1
            if not cut:
                rest = data
                continue
            yield line, data[:cut]
            line += data.count(b"\n", 0, cut)
            rest = data[cut:]
    if rest:
        yield line, rest


def _read_block(found: _Collected, data: bytes, first_line: int) -> None:
    arr = np.frombuffer(data, np.uint8)
    newlines = np.flatnonzero(arr == ord("\n"))
    ends = newlines if data.endswith(b"\n") else np.append(newlines, len(arr))
    starts = np.concatenate(([0], newlines[: len(ends) - 1] + 1))
    if found.first_keys is None:
        found.first_keys = _first_keys(data, starts, ends)
    blank, fast = _shapes(data, arr, starts, ends)
    if np.any(arr >= 0x80):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:  # the lines holding non-ASCII bytes go one by one
            high = np.unique(np.searchsorted(starts, np.flatnonzero(arr >= 0x80), "right") - 1)
            fast[high] = False
    # runs of lines pyarrow may read, between lines that go one by one
    bounds = np.flatnonzero(np.diff(np.concatenate(([0], fast.astype(np.int8), [0]))))
    slow_from = 0
    for run_start, run_end in zip(bounds[::2], bounds[1::2], strict=True):
        _read_slowly(found, data, first_line, starts, ends, range(slow_from, run_start))
        _read_run(found, data, first_line, starts, ends, blank, run_start, run_end)
        slow_from = run_end
    _read_slowly(found, data, first_line, starts, ends, range(slow_from, len(starts)))


def _shapes(data: bytes, arr: Array, starts: Array, ends: Array) -> tuple[Array, Array]:
    """Per line: blank (JSON white space only), and blank or ``{...}`` (pyarrow may read it)."""
    filled = ends > starts
    head = np.where(filled, arr[np.minimum(starts, len(arr) - 1)], 0)
    tail = np.where(filled, arr[np.maximum(ends - 1, 0)], 0)
    crlf = (tail == ord("\r")) & (ends - starts >= 2)
    tail[crlf] = arr[ends[crlf] - 2]
    blank = ~filled
    fast = blank | ((head == OPEN) & (tail == CLOSE))
    # lines starting or ending in white space (CRLF, indented): looked at one by one
    for i in np.flatnonzero(filled & (IS_SPACE[head] | IS_SPACE[tail])):
        text = data[int(starts[i]) : int(ends[i])].strip(JSON_SPACE)
        blank[i] = not text
        fast[i] = not text or (text.startswith(b"{") and text.endswith(b"}"))
    return blank, fast


def _first_keys(data: bytes, starts: Array, ends: Array) -> list[str] | None:
    """Keys of the first object line, in their order (the columns' order, as before)."""
    for start, end in zip(starts, ends, strict=True):
        if data[start:end].strip():
            row = parse_line(0, data[start:end])
            return list(row) if isinstance(row, dict) else None
    return None


def _read_slowly(
    found: _Collected, data: bytes, first_line: int, starts: Array, ends: Array, lines: range
) -> None:
    for i in lines:
        end = int(ends[i])
        raw = data[int(starts[i]) : end + 1 if end < len(data) else end]  # with its newline
        row = parse_line(first_line + i, raw)
        if isinstance(row, Reject):
            found.rejects.append(row)
        elif row is not None:
            found.rows.append((first_line + i, row))


def _read_run(
    found: _Collected,
    data: bytes,
    first_line: int,
    starts: Array,
    ends: Array,
    blank: Array,
    lo: int,
    hi: int,
) -> None:
    """Lines ``lo..hi`` with pyarrow; a failing run is halved until it is small."""
    filled = np.flatnonzero(~blank[lo:hi]) + lo
    if not len(filled):
        return
    chunk = data[int(starts[lo]) : int(ends[hi - 1])]
    table = _parse(found, chunk, len(filled))
    if table is not None:
        found.tables.append((table, filled.astype(np.int64) + first_line))
        found.present |= {n for n in table.column_names if table.column(n).null_count < len(table)}
        found.present |= {n for n in table.column_names if n not in found.schema.names}
        unseen = [n for n in found.schema.names if n not in found.present]
        found.present |= {n for n in unseen if _written_as_key(chunk, n)}
        return
    if len(filled) <= max(found.small_run, 1):
        _read_slowly(found, data, first_line, starts, ends, range(lo, hi))
        return
    mid = int(filled[len(filled) // 2])
    _read_run(found, data, first_line, starts, ends, blank, lo, mid)
    _read_run(found, data, first_line, starts, ends, blank, mid, hi)


def _written_as_key(chunk: bytes, name: str) -> bool:
    return re.search(rb'(?<!\\)"' + re.escape(name.encode()) + rb'"\s*:', chunk) is not None


def _parse(found: _Collected, chunk: bytes, rows: int) -> pa.Table | None:
    """The ``rows`` objects of ``chunk`` (whole lines) as text columns, or None when any line
    needs the line-by-line reader."""
    quoted = _quote_bare_values(np.frombuffer(chunk, np.uint8))
    if quoted is None:
        return None
    table = _read_json(quoted, found.schema, rows)
    typed = [] if table is None else _typed_columns(table)
    if typed:  # an unknown column pyarrow inferred (e.g. as a timestamp): read it as text
        found.text_columns += typed
        table = _read_json(quoted, found.schema, rows)
        if table is not None and _typed_columns(table):
            return None
    if table is None:
        return None
    return table.cast(pa.schema([(n, pa.string()) for n in table.column_names]))


def _read_json(data: Array, schema: pa.Schema, rows: int) -> pa.Table | None:
    options = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    try:
        table = pajson.read_json(pa.BufferReader(pa.py_buffer(data)), parse_options=options)
    except (pa.ArrowException, UnicodeDecodeError):
        return None
    if table.num_rows != rows:  # e.g. two objects on one line
        return None
    if any(pa.types.is_nested(kind) for kind in table.schema.types):
        return None  # a nested unknown column: its text is Python's json.dumps of the value
    return table


def _typed_columns(table: pa.Table) -> list[str]:
    """Columns read as neither text nor all-null."""
    return [
        f.name for f in table.schema if not (pa.types.is_string(f.type) or pa.types.is_null(f.type))
    ]


def _quote_bare_values(arr: Array) -> Array | None:
    """``arr`` with every bare number, ``true`` and ``false`` value in quotes, or None when a
    line has a token that is not valid JSON there, an odd quote or a control character."""
    quote = arr == QUOTE
    if (arr == BACKSLASH).any():  # a quote after an odd run of backslashes is escaped
        backslash = arr == BACKSLASH
        index = np.arange(len(arr))
        last_plain = np.maximum.accumulate(np.where(backslash, -1, index))
        at = np.flatnonzero(quote)
        before = np.where(at > 0, at - 1 - last_plain[np.maximum(at - 1, 0)], 0)
        quote[at[before % 2 == 1]] = False
    inside = np.bitwise_xor.accumulate(quote.view(np.uint8))  # 1 from an opening quote on
    if len(inside) and inside[-1]:
        return None  # the runs handed in are whole lines: each must close its strings
    low = np.flatnonzero(arr < 0x20)
    if len(low):
        kinds = arr[low]
        if not np.isin(kinds, (9, 10, 13)).all():
            return None  # control characters are not JSON: the careful reader says so
        if inside[low].any():
            return None  # nor are raw newlines, tabs or CRs in a string
    token = IS_TOKEN[arr]
    token &= inside == 0
    edges = np.flatnonzero(np.diff(token.view(np.int8), prepend=np.int8(0), append=np.int8(0)))
    if not len(edges):
        return arr
    begin, end = edges[::2], edges[1::2]
    offsets = pa.array(edges.astype(np.int32))
    spans = pa.StringArray.from_buffers(len(offsets) - 1, offsets.buffers()[1], pa.py_buffer(arr))
    words = spans.take(pa.array(np.arange(0, len(spans), 2)))
    number = pc.match_substring_regex(words, NUMBER).to_numpy(zero_copy_only=False)
    literal = pc.is_in(words, pa.array(["true", "false"])).to_numpy(zero_copy_only=False)
    null = pc.equal(words, "null").to_numpy(zero_copy_only=False)
    if not (number | literal | null).all():
        return None
    wrap = number | literal
    if not wrap.any():
        return arr
    before = begin[wrap] - 1  # the value's previous non-blank byte must be its key's colon
    while len(spaced := np.flatnonzero((before >= 0) & IS_SPACE[arr[np.maximum(before, 0)]])):
        before[spaced] -= 1
    if (before < 0).any() or (arr[before] != COLON).any():
        return None  # a bare key or array item: the careful reader says what is wrong
    return np.insert(arr, np.concatenate((begin[wrap], end[wrap])), QUOTE)


def _column(table: pa.Table, name: str) -> pa.ChunkedArray | pa.Array:
    if name in table.column_names:
        return table.column(name)
    return pa.nulls(len(table), pa.string())


def _assemble(found: _Collected) -> tuple[pa.Table, Array]:
    """One table of text columns in line order: the keys seen, first line's order first."""
    present = set(found.present)
    for _, row in found.rows:
        present |= set(row)
    if not found.tables and not found.rows:  # every line rejected: a readable, empty input
        names = list(ENTITIES[found.entity].column_names)
        return pa.table({n: pa.array([], pa.string()) for n in names}), np.array([], np.int64)
    order = [k for k in (found.first_keys or []) if k in present]
    order += [n for n in found.schema.names if n in present and n not in order]
    extra = [n for t, _ in found.tables for n in t.column_names]
    extra += [n for _, row in found.rows for n in row]
    order += [n for n in dict.fromkeys(extra) if n in present and n not in order]
    pieces = [pa.table({n: _column(t, n) for n in order}) for t, _ in found.tables]
    lines = [ln for _, ln in found.tables]
    if found.rows:
        values = {n: [row.get(n) for _, row in found.rows] for n in order}
        pieces.append(pa.table({n: pa.array(v, pa.string()) for n, v in values.items()}))
        lines.append(np.array([number for number, _ in found.rows], np.int64))
    table = pa.concat_tables(pieces)
    all_lines = np.concatenate(lines)
    if found.rows and np.any(np.diff(all_lines) < 0):
        by_line = np.argsort(all_lines, kind="stable")
        table, all_lines = table.take(pa.array(by_line)), all_lines[by_line]
    return table, all_lines
