"""Passwords, API tokens, login rate limiting, the policy layer and the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, update

from appworld import PASSWORD, World
from shopstar.accounts import authorizations, policy
from shopstar.accounts.login import MAX_FAILURES, LoginFailed, TooManyAttempts, authenticate
from shopstar.accounts.models import ApiToken, AuditEvent, UserSession
from shopstar.accounts.passwords import hash_password, verify_password
from shopstar.accounts.policy import Forbidden, NotFound, Resource
from shopstar.accounts.sessions import principal_for_session, start_session
from shopstar.accounts.tokens import issue_token, principal_for_token, revoke_token
from shopstar.accounts.users import find_user
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Creator
from shopstar.db import make_engine, make_sessionmaker
from shopstar.db.types import utcnow
from shopstar.errors import ShopstarError


def test_argon2_hash_verifies_and_refuses() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)
    with pytest.raises(ShopstarError, match="password"):
        hash_password("short")


@pytest.fixture
def sessions(world: World):  # type: ignore[no-untyped-def]
    engine = make_engine(world.db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_tokens_are_hashed_scoped_and_revocable(world: World, sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        user = find_user(session, world.emails["shop_admin"])
        issued = issue_token(session, user, name="t", scopes=frozenset({"read"}), actor="test")
    with sessions.begin() as session:
        stored = session.get_one(ApiToken, issued.token.id)
        assert issued.secret not in {stored.token_hash, stored.prefix}
        principal = principal_for_token(session, issued.secret)
        assert principal is not None and principal.email == world.emails["shop_admin"]
        assert principal.scopes == frozenset({"read"})
        assert principal_for_token(session, issued.secret + "x") is None
        with pytest.raises(Forbidden, match="write"):
            edit(session, principal, Resource.PRODUCTS, "p1", {"notes": "n"})
        revoke_token(session, issued.token.id, actor="test")
    with sessions() as session:
        assert principal_for_token(session, issued.secret) is None


def test_login_is_rate_limited_per_account_and_address(world: World, sessions) -> None:  # type: ignore[no-untyped-def]
    email = world.emails["creator"]
    for _ in range(MAX_FAILURES):
        with sessions() as session:
            with pytest.raises(LoginFailed):
                authenticate(session, email, "wrong password", "10.0.0.1")
            session.commit()
    with sessions() as session, pytest.raises(TooManyAttempts):
        authenticate(session, email, PASSWORD, "10.0.0.1")
    with sessions() as session:  # another address is not throttled
        assert authenticate(session, email.upper(), PASSWORD, "10.0.0.2").email == email


def test_policy_scopes_queries_and_hides_with_not_found(world: World, sessions) -> None:  # type: ignore[no-untyped-def]
    agency = world.principal("agency_admin")
    with sessions() as session:
        visible = session.scalars(
            policy.scoped(select(Creator.creator_id), agency, Resource.CREATORS)
        ).all()
        assert sorted(visible) == ["c1", "c2"]
        with pytest.raises(NotFound, match="c3"):
            policy.get_readable(session, agency, Resource.CREATORS, "c3")


def test_every_write_is_audited(world: World, sessions) -> None:  # type: ignore[no-untyped-def]
    creator = world.principal("creator")
    with sessions.begin() as session:
        edit(session, creator, Resource.CREATORS, "c1", {"bio": "hello"})
        auth_id = authorizations.grant(session, creator, "a2").id
        authorizations.revoke(session, creator, auth_id)
    with sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.actor_user_id == creator.user_id)
        ).all()
        assert [(e.action, e.resource_id) for e in events] == [
            ("creators.update", "c1"),
            ("authorization.grant", str(auth_id)),
            ("authorization.revoke", str(auth_id)),
        ]
        assert events[0].detail == {"before": {"bio": None}, "after": {"bio": "hello"}}
        assert all(e.actor == creator.email and e.at.tzinfo is not None for e in events)


def test_a_login_drops_every_expired_session(world: World, sessions) -> None:  # type: ignore[no-untyped-def]
    """Expired sessions of a user who never logs in again go at anyone's next login; live
    sessions of other users stay."""
    with sessions.begin() as s:
        idle = find_user(s, world.emails["agency_admin"]).id
        other = find_user(s, world.emails["shop_admin"]).id
        stale = start_session(s, idle)
        live = start_session(s, idle)
        s.execute(
            update(UserSession)
            .where(UserSession.token_hash == hashlib.sha256(stale.encode()).hexdigest())
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    with sessions.begin() as s:
        start_session(s, other)
    with sessions.begin() as s:
        left = s.scalars(select(UserSession.user_id).where(UserSession.user_id == idle)).all()
        assert left == [idle]
        assert principal_for_session(s, live) is not None
        assert principal_for_session(s, stale) is None
