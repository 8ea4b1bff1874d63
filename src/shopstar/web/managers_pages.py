"""Pages for program managers' rosters and categories: program admins edit, a manager reads its
own. Every lookup goes through :mod:`shopstar.accounts.roster` and so the policy layer (404 for
what the principal may not see, 403 for a manager trying to change its own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopstar.accounts import policy, roster
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import Principal
from shopstar.catalog.models import Creator
from shopstar.errors import ShopstarError
from shopstar.web.api.schemas import RowId
from shopstar.web.csrf import check_csrf
from shopstar.web.deps import PagePrincipal, SessionDep
from shopstar.web.pages import render

router = APIRouter(include_in_schema=False)
MAX_FORM = 10_000


@router.get("/managers")
def managers(request: Request, principal: PagePrincipal, session: SessionDep) -> Response:
    """The program managers the principal may see, with their categories and roster size."""
    views = [roster.view(session, m) for m in session.scalars(roster.managers_query(principal))]
    return render(request, "managers.html", {"me": principal, "managers": views})


def _manager_page(
    request: Request,
    principal: Principal,
    session: Session,
    manager_id: int,
    error: str | None = None,
    status: int = 200,
) -> Response:
    view = roster.get_for(session, principal, manager_id)
    creators = session.scalars(
        policy.scoped(
            select(Creator).where(Creator.creator_id.in_(view.roster)).order_by(Creator.creator_id),
            principal,
            Resource.CREATORS,
        )
    ).all()
    editable = roster.may_edit(session, principal, manager_id)
    context = {
        "me": principal,
        "manager": view,
        "creators": creators,
        "editable": editable,
        "error": error,
    }
    return render(request, "manager.html", context, status)


@router.get("/managers/{manager_id}")
def manager(
    request: Request, manager_id: RowId, principal: PagePrincipal, session: SessionDep
) -> Response:
    """One manager's categories and roster, with edit forms for program admins."""
    return _manager_page(request, principal, session, manager_id)


@router.post("/managers/{manager_id}/categories")
def edit_categories(
    request: Request,
    manager_id: RowId,
    principal: PagePrincipal,
    session: SessionDep,
    categories: Annotated[str, Form(max_length=MAX_FORM)],
    csrf: Annotated[str, Form()],
) -> Response:
    """Replace the manager's categories (comma-separated in the form)."""
    check_csrf(request, csrf)
    wanted = [c for c in categories.split(",") if c.strip()]
    return _apply(request, principal, session, manager_id, categories=wanted)


@router.post("/managers/{manager_id}/roster")
def edit_roster(
    request: Request,
    manager_id: RowId,
    principal: PagePrincipal,
    session: SessionDep,
    csrf: Annotated[str, Form()],
    add: Annotated[str, Form(max_length=MAX_FORM)] = "",
    remove: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Add creators (comma-separated ids) to, or remove one from, the manager's roster."""
    check_csrf(request, csrf)
    to_add = [c.strip() for c in add.split(",") if c.strip()]
    to_remove = [remove.strip()] if remove.strip() else []
    return _apply(request, principal, session, manager_id, add=to_add, remove=to_remove)


def _apply(
    request: Request, principal: Principal, session: Session, manager_id: int, **change: Any
) -> Response:
    try:
        roster.edit_for(session, principal, manager_id, **change)
    except (policy.NotFound, policy.Forbidden):
        raise
    except ShopstarError as exc:
        session.rollback()
        return _manager_page(request, principal, session, manager_id, str(exc), 400)
    session.commit()
    return RedirectResponse(f"/managers/{manager_id}", status_code=303)
