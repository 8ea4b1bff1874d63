"""Organisations, users, memberships, authorisations, API tokens, audit events and login attempts.

Every person is a :class:`User` with exactly one :class:`Membership` in one
:class:`Organization`; the organisation's ``kind`` and the membership's ``role`` decide what the
policy layer (:mod:`shopstar.accounts.policy`) lets them see and change.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shopstar.db import Base
from shopstar.db.types import UTCDateTime, utcnow

ID_LENGTH = 128


class OrgKind(StrEnum):
    """The four kinds of organisation using ShopStar."""

    PROGRAM = "program"
    AGENCY = "agency"
    SHOP = "shop"
    CREATOR = "creator"


class Role(StrEnum):
    """A member's role inside their organisation."""

    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"
    CREATOR = "creator"


ROLES_BY_KIND: dict[OrgKind, tuple[Role, ...]] = {
    OrgKind.PROGRAM: (Role.ADMIN, Role.MANAGER),
    OrgKind.AGENCY: (Role.ADMIN, Role.MEMBER),
    OrgKind.SHOP: (Role.ADMIN, Role.MEMBER),
    OrgKind.CREATOR: (Role.CREATOR,),
}


class Organization(Base):
    """A tenant. Agencies, shops and creators carry the marketplace id in ``external_id``."""

    __tablename__ = "organizations"
    __table_args__ = (UniqueConstraint("kind", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    """A person who can log in. ``email`` is stored lower-case."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    membership: Mapped[Membership] = relationship(back_populates="user", uselist=False)


class Membership(Base):
    """The one organisation a user belongs to, and their role there."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="membership")
    organization: Mapped[Organization] = relationship()


class ManagerCategory(Base):
    """A product category a program manager is responsible for."""

    __tablename__ = "manager_categories"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(200), primary_key=True)


class RosterEntry(Base):
    """A creator on a program manager's roster (the creators they develop)."""

    __tablename__ = "roster_entries"

    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    creator_id: Mapped[str] = mapped_column(
        ForeignKey("creators.creator_id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuthorizationStatus(StrEnum):
    """Whether an agency may currently act for a creator."""

    ACTIVE = "active"
    REVOKED = "revoked"


class Authorization(Base):
    """A creator's authorisation of an agency; the agency sees the creator only while active."""

    __tablename__ = "authorizations"
    __table_args__ = (UniqueConstraint("agency_org_id", "creator_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    creator_id: Mapped[str] = mapped_column(
        ForeignKey("creators.creator_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=AuthorizationStatus.ACTIVE.value)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AgencyShop(Base):
    """A shop an agency manages."""

    __tablename__ = "agency_shops"

    agency_org_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[str] = mapped_column(
        ForeignKey("shops.shop_id", ondelete="CASCADE"), primary_key=True
    )


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; ``prefix`` identifies it in listings."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A logged-in page session: the cookie carries a random secret, only its SHA-256 is here.

    Deleting the row logs that browser out at its next request (logout, password change).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """One write: who (user id and a label), what (action, resource, id, detail), when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LoginAttempt(Base):
    """A password login attempt, for rate limiting per account and client address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_ip_at", "email", "ip", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean)


__all__ = [
    "ROLES_BY_KIND",
    "AgencyShop",
    "ApiToken",
    "AuditEvent",
    "Authorization",
    "AuthorizationStatus",
    "LoginAttempt",
    "ManagerCategory",
    "Membership",
    "OrgKind",
    "Organization",
    "Role",
    "RosterEntry",
    "User",
    "UserSession",
]
