"""What a principal's organisation holds, for the home page: policy-scoped samples and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shopstar.accounts import policy
from shopstar.accounts.models import Authorization, Organization, OrgKind, Role, RosterEntry
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import Principal
from shopstar.catalog.models import Creator, Product, Shop

SAMPLE = 10


@dataclass(frozen=True)
class Section:
    """A titled table of rows (each a dict of ``columns``), with the total row count."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    count: int
    actions: dict[str, str] = field(default_factory=dict)


_TITLES: dict[OrgKind, dict[Resource, str]] = {
    OrgKind.PROGRAM: {
        Resource.CREATORS: "Creators",
        Resource.SHOPS: "Shops",
        Resource.PRODUCTS: "Products",
    },
    OrgKind.AGENCY: {
        Resource.CREATORS: "Creators who authorised you",
        Resource.SHOPS: "Shops you manage",
        Resource.PRODUCTS: "Their products",
        Resource.AUTHORIZATIONS: "Authorisations",
    },
    OrgKind.SHOP: {Resource.SHOPS: "Your shop", Resource.PRODUCTS: "Your products"},
    OrgKind.CREATOR: {
        Resource.CREATORS: "Your profile",
        Resource.AUTHORIZATIONS: "Agencies you authorised",
    },
}

_COLUMNS: dict[Resource, tuple[str, ...]] = {
    Resource.CREATORS: ("creator_id", "handle", "region", "followers"),
    Resource.SHOPS: ("shop_id", "name", "region", "size"),
    Resource.PRODUCTS: ("product_id", "title", "category", "price", "currency"),
    Resource.AUTHORIZATIONS: ("agency", "creator_id", "status", "granted_at"),
}


def _sample(session: Session, stmt: Select[*tuple[Any, ...]]) -> tuple[list[Any], int]:
    count = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return list(session.execute(stmt.limit(SAMPLE))), count or 0


def _statement(resource: Resource) -> Select[*tuple[Any, ...]]:
    if resource is Resource.CREATORS:
        return select(Creator).order_by(Creator.followers.desc(), Creator.creator_id)
    if resource is Resource.SHOPS:
        return select(Shop).order_by(Shop.shop_id)
    if resource is Resource.PRODUCTS:
        return select(Product).order_by(Product.product_id)
    return (
        select(Authorization, Organization.name)
        .join(Organization, Organization.id == Authorization.agency_org_id)
        .order_by(Authorization.id)
    )


def _row(resource: Resource, result: Any) -> dict[str, Any]:
    if resource is Resource.AUTHORIZATIONS:
        auth, agency = result
        return {
            "id": auth.id,
            "agency": agency,
            "creator_id": auth.creator_id,
            "status": auth.status,
            "granted_at": auth.granted_at.date().isoformat(),
        }
    obj = result[0]
    return {c: getattr(obj, c) for c in _COLUMNS[resource]}


def holdings(session: Session, principal: Principal) -> list[Section]:
    """The sections of ``principal``'s home page, every query scoped by the policy."""
    sections = []
    for resource, title in _TITLES[principal.org_kind].items():
        stmt = policy.scoped(_statement(resource), principal, resource)
        results, count = _sample(session, stmt)
        actions = {}
        if resource is Resource.AUTHORIZATIONS and principal.org_kind is OrgKind.CREATOR:
            actions["revoke"] = "/authorizations/{id}/revoke"
        rows = [_row(resource, r) for r in results]
        sections.append(Section(resource.value, title, _COLUMNS[resource], rows, count, actions))
    if principal.is_(OrgKind.PROGRAM, Role.MANAGER):
        roster = (
            select(Creator)
            .join(RosterEntry, RosterEntry.creator_id == Creator.creator_id)
            .where(RosterEntry.membership_id == principal.membership_id)
            .order_by(Creator.followers.desc())
        )
        results, count = _sample(session, policy.scoped(roster, principal, Resource.CREATORS))
        rows = [_row(Resource.CREATORS, r) for r in results]
        columns = _COLUMNS[Resource.CREATORS]
        sections.insert(0, Section("roster", "Your roster", columns, rows, count))
    return sections
