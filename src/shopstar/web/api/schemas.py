"""The API's response and request bodies. Money and rates are decimal strings, times ISO-8601."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

T = TypeVar("T")
# text may not hold NUL (PostgreSQL refuses it); ids may not hold control characters
TEXT = r"^[^\x00]*$"
ID = r"^[^\x00-\x1f]+$"
# a name holds something str.strip() keeps: Python counts \x1c-\x1f as whitespace, Unicode's \s
# (the schema's and pydantic's regex) does not
NAME = r"^[\s\x1c-\x1f]*[^\x00\s\x1c-\x1f][^\x00]*$"


class Page(BaseModel, Generic[T]):
    """One page of a listing: ``count`` is the total number of matching rows."""

    data: list[T]
    count: int
    limit: int
    offset: int


def plain_json_response(data: Any) -> Response:
    """``data`` (models, or dicts, lists and values that already have the response model's
    fields and types) as JSON, byte for byte as FastAPI writes the response model (Pydantic's
    serialiser), without validating it again; declare the model as ``response_model`` for the
    schema."""
    return Response(to_json(data), media_type="application/json")


class Pagination(BaseModel):
    """``limit`` and ``offset`` query parameters."""

    limit: int = Field(50, ge=1, le=500, description="Rows per page (1-500).")
    offset: int = Field(0, ge=0, le=10_000_000, description="Rows to skip.")


PaginationDep = Annotated[Pagination, Query()]
RowId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A numeric id.")]
ExternalId = Annotated[
    str,
    Path(min_length=1, max_length=128, pattern=ID, description="A marketplace id."),
]


class _FromORM(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrganizationOut(_FromORM):
    """An organisation: program team, agency, shop or creator."""

    id: int
    kind: str
    name: str
    external_id: str | None


class MeOut(BaseModel):
    """Who the token belongs to."""

    id: int
    email: str
    name: str
    role: str
    organization: OrganizationOut
    scopes: list[str]
    categories: list[str]


class CreatorOut(_FromORM):
    """A creator (affiliate)."""

    creator_id: str
    handle: str
    region: str
    followers: int
    joined_at: dt.datetime
    agency_id: str | None
    bio: str | None


class ShopOut(_FromORM):
    """A shop (brand or merchant)."""

    shop_id: str
    name: str
    region: str
    size: str
    joined_at: dt.datetime
    organization_id: int
    description: str | None


class ProductOut(_FromORM):
    """A product; ``price`` and ``commission_rate`` are exact decimals."""

    product_id: str
    shop_id: str
    title: str
    category: str
    subcategory: str | None
    price: Decimal
    currency: str
    commission_rate: Decimal
    listed_at: dt.datetime
    notes: str | None


class AuthorizationOut(BaseModel):
    """A creator's authorisation of an agency."""

    id: int
    agency_id: str | None
    agency_name: str
    creator_id: str
    status: str
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


class _Patch(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganizationPatch(_Patch):
    """Rename an organisation."""

    name: str = Field(min_length=1, max_length=200, pattern=NAME)


class CreatorPatch(_Patch):
    """The app-owned fields of a creator."""

    bio: str | None = Field(None, max_length=2000, pattern=TEXT)


class ShopPatch(_Patch):
    """The app-owned fields of a shop."""

    description: str | None = Field(None, max_length=2000, pattern=TEXT)


class ProductPatch(_Patch):
    """The app-owned fields of a product."""

    notes: str | None = Field(None, max_length=2000, pattern=TEXT)


class AuthorizationCreate(_Patch):
    """Authorise an agency; ``creator_id`` only when a program admin acts for a creator."""

    agency_id: str = Field(min_length=1, max_length=128, pattern=ID)
    creator_id: str | None = Field(None, min_length=1, max_length=128, pattern=ID)
