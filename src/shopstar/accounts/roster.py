"""Program managers' categories and rosters: viewing and editing them, audited.

The ``*_for`` functions act for a principal through the policy layer (``Resource.MANAGERS``:
program admins change any manager, a manager reads its own; anything else is not found). The
others take the membership directly, for the CLI (an operator with the database in hand).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from shopstar.accounts import audit, policy
from shopstar.accounts.models import ManagerCategory, Membership, OrgKind, Role, RosterEntry, User
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import WRITE, Principal
from shopstar.catalog.models import Creator
from shopstar.errors import ShopstarError

MAX_CATEGORY = 200


@dataclass(frozen=True)
class ManagerView:
    """A program manager with their categories and roster (creator ids, sorted)."""

    id: int
    user_id: int
    email: str
    name: str
    categories: tuple[str, ...]
    roster: tuple[str, ...]


@dataclass(frozen=True)
class RosterChange:
    """The creators actually added to and removed from a roster."""

    added: tuple[str, ...]
    removed: tuple[str, ...]


def manager_membership(user: User) -> Membership:
    """``user``'s membership, which must be a program manager's."""
    membership = user.membership
    if membership.role != Role.MANAGER.value or membership.organization.kind != OrgKind.PROGRAM:
        raise ShopstarError(f"email: {user.email} is not a program manager")
    return membership


def view(session: Session, membership: Membership) -> ManagerView:
    """The manager of ``membership`` with categories and roster."""
    user = session.get_one(User, membership.user_id)
    categories = session.scalars(
        select(ManagerCategory.category)
        .where(ManagerCategory.membership_id == membership.id)
        .order_by(ManagerCategory.category)
    )
    roster = session.scalars(
        select(RosterEntry.creator_id)
        .where(RosterEntry.membership_id == membership.id)
        .order_by(RosterEntry.creator_id)
    )
    return ManagerView(
        membership.id, user.id, user.email, user.name, tuple(categories), tuple(roster)
    )


def update_roster(
    session: Session,
    membership: Membership,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    actor: Principal | str,
) -> RosterChange:
    """Add and remove creators on a manager's roster; adding one already there or removing
    one not there changes nothing. Unknown creator ids are refused."""
    to_add, to_remove = set(add), set(remove)
    if both := sorted(to_add & to_remove):
        raise ShopstarError(f"creator: {both[0]!r} is both added and removed")
    wanted = to_add | to_remove
    known = set(session.scalars(select(Creator.creator_id).where(Creator.creator_id.in_(wanted))))
    if missing := sorted(wanted - known):
        raise ShopstarError(f"creator: no creator {missing[0]!r} in the catalog")
    present = set(
        session.scalars(
            select(RosterEntry.creator_id).where(RosterEntry.membership_id == membership.id)
        )
    )
    added, removed = sorted(to_add - present), sorted(to_remove & present)
    session.add_all(RosterEntry(membership_id=membership.id, creator_id=c) for c in added)
    if removed:
        session.execute(
            delete(RosterEntry).where(
                RosterEntry.membership_id == membership.id, RosterEntry.creator_id.in_(removed)
            )
        )
    for action, creators in (("roster.add", added), ("roster.remove", removed)):
        if creators:
            audit.record(
                session,
                actor,
                action,
                "roster_entries",
                membership.user_id,
                organization_id=membership.organization_id,
                detail={"manager_membership_id": membership.id, "creators": creators},
            )
    session.flush()
    return RosterChange(tuple(added), tuple(removed))


def clean_categories(categories: Iterable[str]) -> tuple[str, ...]:
    """Stripped, de-duplicated, sorted categories; refuses empty or over-long ones."""
    cleaned = set()
    for raw in categories:
        category = raw.strip()
        if not category or len(category) > MAX_CATEGORY or "\x00" in category:
            raise ShopstarError(f"categories: {raw!r} is not a category name")
        cleaned.add(category)
    return tuple(sorted(cleaned))


def set_categories(
    session: Session, membership: Membership, categories: Iterable[str], *, actor: Principal | str
) -> tuple[str, ...]:
    """Replace a manager's categories (as in ``products.category``); returns the new set."""
    after = clean_categories(categories)
    before = view(session, membership).categories
    if before == after:
        return after
    session.execute(delete(ManagerCategory).where(ManagerCategory.membership_id == membership.id))
    session.add_all(ManagerCategory(membership_id=membership.id, category=c) for c in after)
    audit.record(
        session,
        actor,
        "manager.categories",
        "memberships",
        membership.id,
        organization_id=membership.organization_id,
        detail={"before": list(before), "after": list(after)},
    )
    session.flush()
    return after


def managers_query(principal: Principal) -> Select[Membership]:
    """The memberships of the managers the principal may see (every one for a program admin,
    itself for a manager, none for anyone else), by email."""
    stmt = select(Membership).join(User, User.id == Membership.user_id).order_by(User.email)
    return policy.scoped(stmt, principal, Resource.MANAGERS)


def get_for(session: Session, principal: Principal, membership_id: int) -> ManagerView:
    """Manager ``membership_id`` if the principal may see it (else NotFound)."""
    return view(session, policy.get_readable(session, principal, Resource.MANAGERS, membership_id))


def may_edit(session: Session, principal: Principal, membership_id: int) -> bool:
    """True when the principal may change manager ``membership_id`` (a program admin's login or
    write-scoped token)."""
    if not principal.has_scope(WRITE):
        return False
    stmt = select(Membership.id).where(Membership.id == membership_id)
    allowed = policy.scoped(stmt, principal, Resource.MANAGERS, WRITE)
    return session.execute(allowed).first() is not None


def edit_for(
    session: Session,
    principal: Principal,
    membership_id: int,
    *,
    categories: Iterable[str] | None = None,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> ManagerView:
    """A program admin changes manager ``membership_id``'s categories (when given) and roster.

    NotFound when the principal may not see that manager, Forbidden when it may only read it.
    """
    membership = policy.get_writable(session, principal, Resource.MANAGERS, membership_id)
    if categories is not None:
        set_categories(session, membership, categories, actor=principal)
    update_roster(session, membership, add=add, remove=remove, actor=principal)
    return view(session, membership)
