"""Demo logins, one per role, linked to real catalog rows (used by ``shopstar demo``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopstar.accounts.models import (
    AgencyShop,
    Authorization,
    AuthorizationStatus,
    Organization,
    Role,
    User,
)
from shopstar.accounts.users import NewUser, add_to_roster, create_user, program_org, set_password
from shopstar.catalog.models import Creator, Product, Shop
from shopstar.errors import ShopstarError

DEMO_DOMAIN = "demo.shopstar.test"
ACTOR = "demo"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account: ``role`` names the kind of organisation and the role in it."""

    role: str
    email: str
    password: str
    org: str


def _login(
    session: Session,
    role_label: str,
    org: Organization,
    role: Role,
    categories: tuple[str, ...] = (),
) -> DemoLogin:
    email = f"{role_label}@{DEMO_DOMAIN}"
    password = secrets.token_urlsafe(12)
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        new = NewUser(email, role_label.replace("-", " ").title(), password, org, role, categories)
        create_user(session, new, actor=ACTOR)
    else:
        set_password(session, user, password, actor=ACTOR)
    return DemoLogin(role_label, email, password, org.name)


def _busiest_agency(session: Session) -> Organization:
    agency = session.scalars(
        select(Organization)
        .join(Authorization, Authorization.agency_org_id == Organization.id)
        .where(Authorization.status == AuthorizationStatus.ACTIVE.value)
        .group_by(Organization.id)
        .order_by(func.count().desc(), Organization.id)
    ).first()
    if agency is None:
        raise ShopstarError("demo: the catalog has no agency with creators (sync the lake first)")
    return agency


def _top_shops(session: Session, limit: int) -> list[Shop]:
    return list(
        session.scalars(
            select(Shop)
            .join(Product, Product.shop_id == Shop.shop_id)
            .group_by(Shop.shop_id)
            .order_by(func.count().desc(), Shop.shop_id)
            .limit(limit)
        )
    )


def seed_demo_users(session: Session) -> list[DemoLogin]:
    """Create (or reset the passwords of) one login per role; the caller commits.

    The agency is the one with most authorised creators and manages the two busiest shops; the
    shop login belongs to the busiest shop; the creator is the agency's biggest creator; the
    program manager covers the biggest category and has the five biggest creators on its roster.
    """
    shops = _top_shops(session, 2)
    if not shops:
        raise ShopstarError("demo: the catalog has no shop with products (sync the lake first)")
    agency = _busiest_agency(session)
    for shop in shops:
        if session.get(AgencyShop, (agency.id, shop.shop_id)) is None:
            session.add(AgencyShop(agency_org_id=agency.id, shop_id=shop.shop_id))
    creator = session.scalars(
        select(Creator)
        .join(Authorization, Authorization.creator_id == Creator.creator_id)
        .where(
            Authorization.agency_org_id == agency.id,
            Authorization.status == AuthorizationStatus.ACTIVE.value,
        )
        .order_by(Creator.followers.desc(), Creator.creator_id)
    ).first()
    assert creator is not None  # the agency was chosen for having active creators
    category = session.scalars(
        select(Product.category)
        .group_by(Product.category)
        .order_by(func.count().desc(), Product.category)
    ).first()
    assert category is not None  # the busiest shops have products
    program = program_org(session)
    logins = [
        _login(session, "program-admin", program, Role.ADMIN),
        _login(session, "program-manager", program, Role.MANAGER, categories=(category,)),
        _login(session, "agency-admin", agency, Role.ADMIN),
        _login(
            session,
            "shop-admin",
            session.get_one(Organization, shops[0].organization_id),
            Role.ADMIN,
        ),
        _login(
            session, "creator", session.get_one(Organization, creator.organization_id), Role.CREATOR
        ),
    ]
    session.flush()
    manager = session.scalars(select(User).where(User.email == logins[1].email)).one()
    roster = session.scalars(
        select(Creator.creator_id).order_by(Creator.followers.desc(), Creator.creator_id).limit(5)
    )
    add_to_roster(session, manager, list(roster), actor=ACTOR)
    return logins
