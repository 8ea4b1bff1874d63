"""``/managers``: program managers' categories and rosters (program admins edit them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session

from shopstar.accounts import roster
from shopstar.accounts.principal import Principal
from shopstar.accounts.roster import ManagerView
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import ID, NAME, Page, PaginationDep, RowId, plain_json_response
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep, run_session_read

router = APIRouter(prefix="/managers", tags=["managers"])

Category = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NAME)]
CreatorId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=ID)]


class ManagerOut(BaseModel):
    """A program manager: ``id`` is the membership id; categories as in products.category."""

    id: int
    user_id: int
    email: str
    name: str
    categories: list[str]
    roster: list[str]


class ManagerPatch(BaseModel):
    """Replace a manager's categories."""

    model_config = ConfigDict(extra="forbid")

    categories: list[Category] = Field(max_length=100)


class RosterEdit(BaseModel):
    """Creators to put on and take off a manager's roster (ids as in creators.creator_id)."""

    model_config = ConfigDict(extra="forbid")

    add: list[CreatorId] = Field(default_factory=list, max_length=500)
    remove: list[CreatorId] = Field(default_factory=list, max_length=500)


def _out(view: ManagerView) -> ManagerOut:
    return ManagerOut(
        id=view.id,
        user_id=view.user_id,
        email=view.email,
        name=view.name,
        categories=list(view.categories),
        roster=list(view.roster),
    )


@router.get("", response_model=Page[ManagerOut])
async def list_managers(
    request: Request, credentials: ApiCredentials, page: PaginationDep
) -> Response:
    """Program managers visible to the principal: all for a program admin, itself for a manager."""

    def query(session: Session, principal: Principal) -> Page[ManagerOut]:
        rows, count = page_of(session, roster.managers_query(principal), page)
        data = [_out(roster.view(session, m)) for m in rows]
        return Page(data=data, count=count, limit=page.limit, offset=page.offset)

    return plain_json_response(await run_session_read(request, credentials, query))


@router.get("/{manager_id}", response_model=ManagerOut)
async def get_manager(request: Request, manager_id: RowId, credentials: ApiCredentials) -> Response:
    """One manager with categories and roster (404 when not visible)."""

    def query(session: Session, principal: Principal) -> ManagerOut:
        return _out(roster.get_for(session, principal, manager_id))

    return plain_json_response(await run_session_read(request, credentials, query))


@router.patch("/{manager_id}", response_model=ManagerOut)
def update_manager(
    manager_id: RowId, body: ManagerPatch, principal: ApiPrincipal, session: SessionDep
) -> ManagerOut:
    """Replace a manager's categories (program admins)."""
    view = roster.edit_for(session, principal, manager_id, categories=body.categories)
    session.commit()
    return _out(view)


@router.post("/{manager_id}/roster", response_model=ManagerOut)
def edit_roster(
    manager_id: RowId, body: RosterEdit, principal: ApiPrincipal, session: SessionDep
) -> ManagerOut:
    """Add and remove creators on a manager's roster (program admins)."""
    view = roster.edit_for(session, principal, manager_id, add=body.add, remove=body.remove)
    session.commit()
    return _out(view)
