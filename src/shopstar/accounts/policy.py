"""The one tenancy mechanism: what each principal may read and write, as SQL predicates.

Every query of tenant data goes through :func:`scoped` (lists) or :func:`get_readable` /
:func:`get_writable` (single rows). Reading something the policy hides raises :class:`NotFound`
(the API answers 404, so existence does not leak); writing something readable but not writable
raises :class:`Forbidden` (403).

Who sees what (docs/auth.md has the full table):

- program admin: everything; program manager: every creator (to find stars), the products and
  shops of their categories, writes the creators on their roster;
- agency admin/member: creators who authorised the agency, while that authorisation is active,
  plus the shops the agency manages and their products;
- shop admin/member: their shop and its products (admins also write the shop);
- creator: themselves and their authorisations;
- program managers' categories and rosters (``Resource.MANAGERS``): program admins read and
  change them, a manager reads its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, false, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from shopstar.accounts.models import (
    AgencyShop,
    Authorization,
    AuthorizationStatus,
    Membership,
    Organization,
    OrgKind,
    Role,
    RosterEntry,
)
from shopstar.accounts.principal import READ, WRITE, Principal
from shopstar.catalog.models import Creator, Product, Shop
from shopstar.errors import ShopstarError

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


class Resource(StrEnum):
    """Tenant data the policy guards."""

    CREATORS = "creators"
    SHOPS = "shops"
    PRODUCTS = "products"
    ORGANIZATIONS = "organizations"
    AUTHORIZATIONS = "authorizations"
    MANAGERS = "managers"


MODELS: dict[Resource, type[Any]] = {
    Resource.CREATORS: Creator,
    Resource.SHOPS: Shop,
    Resource.PRODUCTS: Product,
    Resource.ORGANIZATIONS: Organization,
    Resource.AUTHORIZATIONS: Authorization,
    Resource.MANAGERS: Membership,
}


class NotFound(ShopstarError):
    """The resource does not exist, or the principal may not see it (indistinguishable)."""


class Forbidden(ShopstarError):
    """The principal may see the resource but not do this to it."""


def _authorised_creator_ids(principal: Principal) -> Select[str]:
    return select(Authorization.creator_id).where(
        Authorization.agency_org_id == principal.org_id,
        Authorization.status == AuthorizationStatus.ACTIVE.value,
    )


def _agency_shop_ids(principal: Principal) -> Select[str]:
    return select(AgencyShop.shop_id).where(AgencyShop.agency_org_id == principal.org_id)


def _own_shop_ids(principal: Principal) -> Select[str]:
    return select(Shop.shop_id).where(Shop.organization_id == principal.org_id)


def _category_shop_ids(principal: Principal) -> Select[str]:
    return select(Product.shop_id).where(Product.category.in_(principal.categories))


def _roster_creator_ids(principal: Principal) -> Select[str]:
    return select(RosterEntry.creator_id).where(
        RosterEntry.membership_id == principal.membership_id
    )


def _creators(principal: Principal, action: str) -> ColumnElement[bool]:
    kind, role = principal.org_kind, principal.role
    if kind is OrgKind.PROGRAM:
        if role is Role.ADMIN or action == READ:
            return true()
        return Creator.creator_id.in_(_roster_creator_ids(principal))
    if kind is OrgKind.AGENCY:
        return Creator.creator_id.in_(_authorised_creator_ids(principal))
    if kind is OrgKind.CREATOR:
        return Creator.organization_id == principal.org_id
    return false()


def _shops(principal: Principal, action: str) -> ColumnElement[bool]:
    kind, role = principal.org_kind, principal.role
    if kind is OrgKind.PROGRAM:
        if role is Role.ADMIN:
            return true()
        return Shop.shop_id.in_(_category_shop_ids(principal)) if action == READ else false()
    if kind is OrgKind.AGENCY:
        return Shop.shop_id.in_(_agency_shop_ids(principal)) if action == READ else false()
    if kind is OrgKind.SHOP and (action == READ or role is Role.ADMIN):
        return Shop.organization_id == principal.org_id
    return false()


def _products(principal: Principal, action: str) -> ColumnElement[bool]:
    kind, role = principal.org_kind, principal.role
    if kind is OrgKind.PROGRAM:
        if role is Role.ADMIN:
            return true()
        return Product.category.in_(principal.categories) if action == READ else false()
    if kind is OrgKind.AGENCY:
        return Product.shop_id.in_(_agency_shop_ids(principal)) if action == READ else false()
    if kind is OrgKind.SHOP:
        return Product.shop_id.in_(_own_shop_ids(principal))
    return false()


def _organizations(principal: Principal, action: str) -> ColumnElement[bool]:
    kind, role = principal.org_kind, principal.role
    own = Organization.id == principal.org_id
    if action == WRITE:
        if kind is OrgKind.PROGRAM and role is Role.ADMIN:
            return true()
        return own if role in (Role.ADMIN, Role.CREATOR) else false()
    if kind is OrgKind.PROGRAM:
        return true()
    if kind is OrgKind.AGENCY:
        shop_orgs = select(Shop.organization_id).where(
            Shop.shop_id.in_(_agency_shop_ids(principal))
        )
        creator_orgs = select(Creator.organization_id).where(
            Creator.creator_id.in_(_authorised_creator_ids(principal))
        )
        return or_(own, Organization.id.in_(shop_orgs), Organization.id.in_(creator_orgs))
    if kind is OrgKind.CREATOR:
        agencies = select(Authorization.agency_org_id).where(
            Authorization.creator_id.in_(_own_creator_ids(principal))
        )
        return or_(own, Organization.id.in_(agencies))
    return own


def _own_creator_ids(principal: Principal) -> Select[str]:
    return select(Creator.creator_id).where(Creator.organization_id == principal.org_id)


def _authorizations(principal: Principal, action: str) -> ColumnElement[bool]:
    kind, role = principal.org_kind, principal.role
    if kind is OrgKind.PROGRAM:
        return true() if role is Role.ADMIN or action == READ else false()
    if kind is OrgKind.AGENCY and action == READ:
        return Authorization.agency_org_id == principal.org_id
    if kind is OrgKind.CREATOR:
        return Authorization.creator_id.in_(_own_creator_ids(principal))
    return false()


def _managers(principal: Principal, action: str) -> ColumnElement[bool]:
    """Program managers' memberships (categories, roster): program admins read and write them
    all; a manager reads its own."""
    if principal.is_(OrgKind.PROGRAM, Role.ADMIN):
        return and_(
            Membership.organization_id == principal.org_id,
            Membership.role == Role.MANAGER.value,
        )
    if principal.is_(OrgKind.PROGRAM, Role.MANAGER) and action == READ:
        return Membership.id == principal.membership_id
    return false()


_RULES = {
    Resource.CREATORS: _creators,
    Resource.SHOPS: _shops,
    Resource.PRODUCTS: _products,
    Resource.ORGANIZATIONS: _organizations,
    Resource.AUTHORIZATIONS: _authorizations,
    Resource.MANAGERS: _managers,
}


def predicate(principal: Principal, resource: Resource, action: str = READ) -> ColumnElement[bool]:
    """The SQL condition selecting the rows of ``resource`` the principal may ``action``."""
    return _RULES[resource](principal, action)


def scoped(stmt: S, principal: Principal, resource: Resource, action: str = READ) -> S:
    """``stmt`` restricted to the rows of ``resource`` the principal may ``action`` (unchanged
    when that is every row: ``WHERE 1 = 1`` would keep SQLite from counting by its b-tree)."""
    condition = predicate(principal, resource, action)
    return stmt if isinstance(condition, True_) else stmt.where(condition)


def _key_column(resource: Resource) -> Any:
    model = MODELS[resource]
    (column,) = model.__mapper__.primary_key
    return column


def _describe(resource: Resource, key: object) -> str:
    return f"{resource.value.removesuffix('s')} {key!r}"


def get_readable(session: Session, principal: Principal, resource: Resource, key: object) -> Any:
    """The row of ``resource`` with primary key ``key``, if the principal may read it."""
    model = MODELS[resource]
    stmt = scoped(select(model).where(_key_column(resource) == key), principal, resource)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"{_describe(resource, key)} not found")
    return row


def get_readable_columns(
    db: Connection | Session,
    principal: Principal,
    resource: Resource,
    key: object,
    columns: Sequence[ColumnElement[Any]],
) -> Row[Any]:
    """``columns`` of the row of ``resource`` with primary key ``key`` as a plain row (no ORM
    object), if the principal may read it; :func:`get_readable` otherwise."""
    stmt = scoped(select(*columns).where(_key_column(resource) == key), principal, resource)
    row = db.execute(stmt).first()
    if row is None:
        raise NotFound(f"{_describe(resource, key)} not found")
    return row


def require_scope(principal: Principal, scope: str) -> None:
    """Refuse a credential that lacks ``scope`` (a read-only token trying to write)."""
    if not principal.has_scope(scope):
        raise Forbidden(f"this token lacks the {scope!r} scope")


def get_writable(session: Session, principal: Principal, resource: Resource, key: object) -> Any:
    """The row of ``resource`` with key ``key``, if the principal may change it.

    Raises NotFound when it is not even readable, Forbidden when readable only.
    """
    row = get_readable(session, principal, resource, key)
    require_scope(principal, WRITE)
    allowed = scoped(
        select(_key_column(resource)).where(_key_column(resource) == key),
        principal,
        resource,
        WRITE,
    )
    if session.execute(allowed).first() is None:
        raise Forbidden(f"you may not change {_describe(resource, key)}")
    return row


def may_create(principal: Principal, resource: Resource) -> bool:
    """True when the principal may create rows of ``resource`` (only authorisations today:
    a creator authorising an agency, or a program admin on a creator's behalf)."""
    if resource is Resource.AUTHORIZATIONS:
        return principal.org_kind is OrgKind.CREATOR or principal.is_(OrgKind.PROGRAM, Role.ADMIN)
    return False
