"""``/creators``: list with filters and pagination, detail, and the app-owned fields."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func, select

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Creator
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import (
    ID,
    TEXT,
    CreatorOut,
    CreatorPatch,
    ExternalId,
    Page,
    PaginationDep,
    json_response,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep, authenticate

router = APIRouter(prefix="/creators", tags=["creators"])


@router.get("", response_model=Page[CreatorOut])
async def list_creators(
    credentials: ApiCredentials,
    session: SessionDep,
    page: PaginationDep,
    region: str | None = Query(None, max_length=16, pattern=TEXT, description="Exact region code."),
    agency_id: str | None = Query(
        None, max_length=128, pattern=ID, description="Marketplace agency id."
    ),
    q: str | None = Query(None, max_length=200, pattern=TEXT, description="Part of the handle."),
    min_followers: int | None = Query(None, ge=0, le=10**12, description="At least this many."),
) -> Response:
    """Creators visible to the principal, most followed first."""

    def query() -> Page[CreatorOut]:
        principal = authenticate(session, credentials)
        stmt = policy.scoped(select(Creator), principal, Resource.CREATORS)
        if region is not None:
            stmt = stmt.where(Creator.region == region)
        if agency_id is not None:
            stmt = stmt.where(Creator.agency_id == agency_id)
        if q:
            stmt = stmt.where(func.lower(Creator.handle).contains(q.lower(), autoescape=True))
        if min_followers is not None:
            stmt = stmt.where(Creator.followers >= min_followers)
        stmt = stmt.order_by(Creator.followers.desc(), Creator.creator_id)
        rows, count = page_of(session, stmt, page)
        data = [CreatorOut.model_validate(r) for r in rows]
        return Page(data=data, count=count, limit=page.limit, offset=page.offset)

    return json_response(await run_in_threadpool(query))


@router.get("/{creator_id}", response_model=CreatorOut)
async def get_creator(
    creator_id: ExternalId, credentials: ApiCredentials, session: SessionDep
) -> Response:
    """One creator (404 when it does not exist or is not visible)."""

    def query() -> CreatorOut:
        principal = authenticate(session, credentials)
        creator = policy.get_readable(session, principal, Resource.CREATORS, creator_id)
        return CreatorOut.model_validate(creator)

    return json_response(await run_in_threadpool(query))


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
