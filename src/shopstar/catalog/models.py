"""App-DB copies of the marketplace's creators, shops and products, keyed by marketplace id.

Synced from the lake (:mod:`shopstar.catalog.sync`); columns the lake does not own (``bio``,
``description``, ``notes``) are edited in the app and survive re-syncs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shopstar.db import Base
from shopstar.db.types import Money, Rate, UTCDateTime, utcnow

ID_LENGTH = 128


class Creator(Base):
    """A creator (affiliate). ``agency_id`` is what the marketplace reports; access is decided by
    :class:`shopstar.accounts.models.Authorization`, not by this column."""

    __tablename__ = "creators"

    creator_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    handle: Mapped[str] = mapped_column(String(200), unique=True)
    region: Mapped[str] = mapped_column(String(16), index=True)
    followers: Mapped[int] = mapped_column(BigInteger, index=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    agency_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), unique=True
    )
    bio: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Shop(Base):
    """A shop (brand or merchant), linked to its organisation."""

    __tablename__ = "shops"

    shop_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(16))
    size: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), unique=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Product(Base):
    """A product. ``shop_id`` has no foreign key: exports arrive out of order (CONTRACT.md §1)."""

    __tablename__ = "products"

    product_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    title: Mapped[str] = mapped_column(String(500))
    category: Mapped[str] = mapped_column(String(200), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    commission_rate: Mapped[Decimal] = mapped_column(Rate())
    listed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    notes: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
