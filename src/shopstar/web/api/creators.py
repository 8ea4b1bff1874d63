"""``/creators``: list with filters and pagination, detail, and the app-owned fields."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import ColumnElement, Connection, func, select

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Creator
from shopstar.web.api.listing import plain_page
from shopstar.web.api.schemas import (
    ID,
    TEXT,
    CreatorOut,
    CreatorPatch,
    ExternalId,
    Page,
    PaginationDep,
    plain_json_response,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep, authenticate
from shopstar.web.reads import run_read

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

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        count = select(func.count()).select_from(Creator).where(*filters)
        rows = select(*CREATOR_COLUMNS).where(*filters)
        return plain_page(
            db,
            policy.scoped(count, principal, Resource.CREATORS),
            policy.scoped(rows, principal, Resource.CREATORS).order_by(
                Creator.followers.desc(), Creator.creator_id
            ),
            page,
        )

    return plain_json_response(await run_read(request, query))


@router.get("/{creator_id}", response_model=CreatorOut)
async def get_creator(
    request: Request, creator_id: ExternalId, credentials: ApiCredentials
) -> Response:
    """One creator (404 when it does not exist or is not visible)."""

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        row = policy.get_readable_columns(
            db, principal, Resource.CREATORS, creator_id, CREATOR_COLUMNS
        )
        return row._asdict()

    return plain_json_response(await run_read(request, query))


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
