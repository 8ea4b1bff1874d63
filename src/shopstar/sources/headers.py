"""Header maps per locale: the column names an export writes, mapped to the English names.

The adapters only know the English names. A file written in another locale is read through
that locale's map; messages keep quoting the file's own column name. To support a locale,
add a dict here mapping its header text to the English header (exactly as the export writes it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

INDONESIAN: Mapping[str, str] = {
    "ID Pesanan": "Order ID",
    "ID Produk": "Product ID",
    "Nama Produk": "Product Name",
    "ID SKU": "SKU ID",
    "Harga": "Price",
    "Jumlah Pembayaran": "Payment Amount",
    "Mata Uang": "Currency",
    "Kuantitas": "Quantity",
    "Dikembalikan atau dananya dikembalikan sepenuhnya": "Fully returned or refunded",
    "Metode pembayaran": "Payment method",
    "Status Pesanan": "Order Status",
    "Nama Pengguna Kreator": "Creator Username",
    "Jenis Konten": "Content Type",
    "ID Konten": "Content ID",
    "Model komisi": "commission model",
    "Tingkat komisi standar": "Standard commission rate",
    "Perkiraan Dasar Komisi": "Est. Commission Base",
    "Perkiraan pembayaran komisi standar": "Est. standard commission payment",
    "Dasar Komisi Aktual": "Actual Commission Base",
    "Pembayaran Komisi Aktual": "Actual Commission Payment",
    "Waktu Dibuat": "Time Created",
    "Waktu pembayaran": "Payment time",
    "Waktu Pengiriman Pesanan": "Order Delivery Time",
    "Waktu Komisi Dibayar": "Time Commission Paid",
    "Wilayah Kreator": "Creator Region",
}

LOCALES: Mapping[str, Mapping[str, str]] = {"en": {}, "id": INDONESIAN}
"""Locale code -> {header as written: English header}. English needs no translation."""


@lru_cache(maxsize=1024)
def normalise(name: str) -> str:
    """Compare headers ignoring case, surrounding blanks, repeated blanks and a BOM."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


_TRANSLATIONS: dict[str, str] = {
    normalise(written): english for table in LOCALES.values() for written, english in table.items()
}


@dataclass(frozen=True)
class Header:
    """A file's header: for each English column name, its position and the name as written."""

    positions: Mapping[str, int]
    written: Mapping[str, str]
    width: int

    def has(self, english: str) -> bool:
        """True when the file has this column (in any supported locale)."""
        return normalise(english) in self.positions

    def index(self, english: str) -> int:
        """Position of the column called ``english`` (in English) in the file."""
        return self.positions[normalise(english)]

    def label(self, english: str) -> str:
        """The column's name as the file writes it, for messages."""
        return self.written.get(normalise(english), english)


def read_header(cells: Sequence[str]) -> Header:
    """Map each header cell to its English name (the first of duplicated columns wins)."""
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for index, cell in enumerate(cells):
        key = normalise(_TRANSLATIONS.get(normalise(cell), cell))
        if key and key not in positions:
            positions[key] = index
            written[key] = cell.strip()
    return Header(positions, written, len(cells))
