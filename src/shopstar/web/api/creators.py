"""``/creators``: list with filters and pagination, detail, and the app-owned fields."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import ColumnElement, func

from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Creator
from shopstar.web.api.listing import read_page, read_row
from shopstar.web.api.schemas import (
    ID,
    TEXT,
    CreatorOut,
    CreatorPatch,
    ExternalId,
    Page,
    PaginationDep,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep

router = APIRouter(prefix="/creators", tags=["creators"])


# the response model's fields, read as plain columns: the hot endpoints build no ORM objects
CREATOR_COLUMNS = tuple(getattr(Creator, name) for name in CreatorOut.model_fields)


@router.get("", response_model=Page[CreatorOut])
async def list_creators(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    region: str | None = Query(None, max_length=16, pattern=TEXT, description="Exact region code."),
    agency_id: str | None = Query(
        None, max_length=128, pattern=ID, description="Marketplace agency id."
    ),
    q: str | None = Query(None, max_length=200, pattern=TEXT, description="Part of the handle."),
    min_followers: int | None = Query(None, ge=0, le=10**12, description="At least this many."),
) -> Response:
    """Creators visible to the principal, most followed first."""
    filters: list[ColumnElement[bool]] = []
    if region is not None:
        filters.append(Creator.region == region)
    if agency_id is not None:
        filters.append(Creator.agency_id == agency_id)
    if q:
        filters.append(func.lower(Creator.handle).contains(q.lower(), autoescape=True))
    if min_followers is not None:
        filters.append(Creator.followers >= min_followers)

    order = (Creator.followers.desc(), Creator.creator_id)
    return await read_page(
        request, credentials, Resource.CREATORS, Creator, CREATOR_COLUMNS, filters, order, page
    )


@router.get("/{creator_id}", response_model=CreatorOut)
async def get_creator(
    request: Request, creator_id: ExternalId, credentials: ApiCredentials
) -> Response:
    """One creator (404 when it does not exist or is not visible)."""
    return await read_row(request, credentials, Resource.CREATORS, creator_id, CREATOR_COLUMNS)


@router.patch("/{creator_id}", response_model=CreatorOut)
def update_creator(
    creator_id: ExternalId, body: CreatorPatch, principal: ApiPrincipal, session: SessionDep
) -> CreatorOut:
    """Change a creator's bio (the creator, its authorised agency, its roster manager, a
    program admin)."""
    creator = edit(
        session, principal, Resource.CREATORS, creator_id, body.model_dump(exclude_unset=True)
    )
    session.commit()
    return CreatorOut.model_validate(creator)
