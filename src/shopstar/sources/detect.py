"""Tell which export a file is from its header."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shopstar.errors import ShopstarError
from shopstar.sources import affiliate_orders, all_orders, creator_earnings
from shopstar.sources.headers import Header, read_header
from shopstar.sources.model import Source

SOURCES: Mapping[str, Source] = {
    s.name: s for s in (affiliate_orders.SOURCE, all_orders.SOURCE, creator_earnings.SOURCE)
}
"""Every supported export, by the name ``--source`` takes."""


def source_named(name: str) -> Source:
    """The source called ``name``; an unknown name is an error listing the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(SOURCES)
        raise ShopstarError(f'--source: "{name}" is not a known source ({known})') from None


def detect(header: Sequence[str]) -> str:
    """The name of the one source whose required columns ``header`` has.

    No match, or more than one, is a :class:`ShopstarError` naming the candidates (for no
    match: the closest source and the columns it misses).
    """
    return detect_source(read_header(header)).name


def detect_source(header: Header) -> Source:
    """:func:`detect` for a header already read."""
    matches = [s for s in SOURCES.values() if not s.missing(header.has)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(s.name for s in matches)
        raise ShopstarError(
            f"the header fits more than one source ({names}): pass --source to choose"
        )
    closest = min(SOURCES.values(), key=lambda s: len(s.missing(header.has)))
    lacking = ", ".join(closest.missing(header.has))
    known = ", ".join(SOURCES)
    raise ShopstarError(
        f"the header matches no known export ({known}); closest is {closest.name}, "
        f"which lacks: {lacking}"
    )
