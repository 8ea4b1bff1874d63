"""Demo logins: one per role, linked to real catalog rows, re-runnable."""

from __future__ import annotations

from sqlalchemy import func, select

from appworld import World
from shopstar.accounts.demo import seed_demo_users
from shopstar.accounts.login import authenticate
from shopstar.accounts.models import AgencyShop, User
from shopstar.accounts.principal import load_principal
from shopstar.db import make_engine, make_sessionmaker


def test_demo_users_cover_every_role_and_can_log_in(world: World) -> None:
    engine = make_engine(world.db_url)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        first = seed_demo_users(session)
    with sessions.begin() as session:
        logins = seed_demo_users(session)  # again: same accounts, new passwords
        users = session.scalar(select(func.count()).select_from(User))
    assert [d.role for d in logins] == [
        "program-admin",
        "program-manager",
        "agency-admin",
        "shop-admin",
        "creator",
    ]
    assert [d.email for d in logins] == [d.email for d in first]
    assert users == 7 + 5
    orgs = {d.role: d.org for d in logins}
    assert orgs == {
        "program-admin": "Program team",
        "program-manager": "Program team",
        "agency-admin": "Alpha Agency",
        "shop-admin": "Glow Beauty",
        "creator": "@c1",
    }
    with sessions() as session:
        for demo in logins:
            user = authenticate(session, demo.email, demo.password, "127.0.0.1")
            principal = load_principal(session, user.id)
            assert principal is not None and principal.org_name == demo.org
            if demo.role == "program-manager":
                assert principal.categories == ("beauty",)
        managed = session.scalars(select(AgencyShop.shop_id).order_by(AgencyShop.shop_id)).all()
        assert managed == ["s1", "s2"]
    engine.dispose()
