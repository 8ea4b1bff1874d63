"""Shared fixtures: throwaway app databases on SQLite and PostgreSQL, built by migrations.

``db_url`` is parametrised over both backends: a test using it runs twice, each time on a fresh,
migrated database. ``empty_db_url`` is the same without migrations. PostgreSQL is
``postgresql+psycopg://postgres@127.0.0.1:5432`` unless ``SHOPSTAR_TEST_POSTGRES_URL`` says
otherwise; when it is down the PostgreSQL cases skip, or fail when ``CI=true``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pyarrow as pa
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shopstar.accounts.models import AgencyShop, Role
from shopstar.accounts.principal import Principal, load_principal
from shopstar.accounts.tokens import issue_token, parse_scopes
from shopstar.accounts.users import NewUser, add_to_roster, create_user, find_user, resolve_org
from shopstar.catalog.sync import sync_from_tables
from shopstar.config import Settings, get_settings
from shopstar.contract import ENTITIES
from shopstar.db import make_engine, make_sessionmaker, normalise_url, upgrade
from shopstar.web import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser

POSTGRES_SERVER = os.environ.get(
    "SHOPSTAR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


class PostgresServer:
    """Creates and drops throwaway databases on the test PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.url = make_url(normalise_url(url))
        self.engine = create_engine(
            self.url.set(database="postgres"), isolation_level="AUTOCOMMIT", pool_size=1
        )
        self.template: str | None = None

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        name = f"shopstar_test_{uuid.uuid4().hex[:12]}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}{clause}"))
        return name

    def drop(self, name: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available ({reason}); set SHOPSTAR_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server, with a migrated template database for fast copies."""
    server = PostgresServer(POSTGRES_SERVER)
    try:
        with server.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver or network error means the server is not usable
        _unavailable(str(exc).splitlines()[0])
    template = server.create()
    upgrade(server.url_for(template))
    server.template = template
    yield server
    server.drop(template)
    server.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that tests copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _fresh_url(request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool) -> Iterator[str]:
    backend: str = request.param
    if backend == "sqlite":
        path = tmp_path / "app.db"
        if migrated:
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create(server.template if migrated else None)
    try:
        yield server.url_for(name)
    finally:
        server.drop(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh app database migrated to head, on SQLite and on PostgreSQL."""
    yield from _fresh_url(request, tmp_path, migrated=True)


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database (no migrations run), on SQLite and on PostgreSQL."""
    yield from _fresh_url(request, tmp_path, migrated=False)


# --- a tiny marketplace with one user per role, shared by the accounts and web tests ---------

PASSWORD = "correct horse battery"


def catalog_tables() -> dict[str, pa.Table]:
    """Canonical Arrow tables: 2 agencies, 3 shops, 4 products, 4 creators."""
    ts = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def table(entity: str, rows: list[dict[str, object]]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=ENTITIES[entity].schema)

    def product(pid: str, shop: str, category: str, price: str) -> dict[str, object]:
        return {
            "product_id": pid,
            "shop_id": shop,
            "title": f"Product {pid}",
            "category": category,
            "subcategory": None,
            "price": Decimal(price),
            "currency": "USD",
            "commission_rate": Decimal("0.15"),
            "listed_at": ts,
        }

    def creator(cid: str, followers: int, agency: str | None) -> dict[str, object]:
        return {
            "creator_id": cid,
            "handle": f"@{cid}",
            "region": "US",
            "followers": followers,
            "joined_at": ts,
            "agency_id": agency,
        }

    return {
        "agencies": table(
            "agencies",
            [{"agency_id": "a1", "name": "Alpha Agency"}, {"agency_id": "a2", "name": "Beta"}],
        ),
        "shops": table(
            "shops",
            [
                {"shop_id": s, "name": n, "region": "US", "size": "brand", "joined_at": ts}
                for s, n in [("s1", "Glow Beauty"), ("s2", "Home Goods"), ("s3", "Gadget Hub")]
            ],
        ),
        "products": table(
            "products",
            [
                product("p1", "s1", "beauty", "19.99"),
                product("p2", "s1", "beauty", "5.00"),
                product("p3", "s2", "home", "42.10"),
                product("p4", "s3", "electronics", "199.00"),
            ],
        ),
        "creators": table(
            "creators",
            [
                creator("c1", 50_000, "a1"),
                creator("c2", 1_000, "a1"),
                creator("c3", 7_000, "a2"),
                creator("c4", 90_000, None),
            ],
        ),
    }


@dataclass(frozen=True)
class World:
    """The tiny marketplace in a fresh database, with a login per role (password PASSWORD)."""

    db_url: str
    emails: dict[str, str]

    def principal(self, role: str) -> Principal:
        """The principal of the login called ``role`` (see :data:`WORLD_USERS`)."""
        engine = make_engine(self.db_url)
        try:
            with make_sessionmaker(engine)() as session:
                user = find_user(session, self.emails[role])
                principal = load_principal(session, user.id)
        finally:
            engine.dispose()
        assert principal is not None
        return principal


# login name -> (org spec, role, categories)
WORLD_USERS: dict[str, tuple[str, Role, tuple[str, ...]]] = {
    "program_admin": ("program", Role.ADMIN, ()),
    "manager": ("program", Role.MANAGER, ("beauty",)),
    "agency_admin": ("agency:a1", Role.ADMIN, ()),
    "agency_member": ("agency:a1", Role.MEMBER, ()),
    "shop_admin": ("shop:s1", Role.ADMIN, ()),
    "shop_member": ("shop:s1", Role.MEMBER, ()),
    "creator": ("creator:c1", Role.CREATOR, ()),
}


def build_world(db_url: str) -> World:
    """Sync :func:`catalog_tables` into ``db_url`` and add the :data:`WORLD_USERS`; agency a1
    manages shop s2 and the manager has c2 on their roster."""
    engine = make_engine(db_url)
    emails = world_emails()
    try:
        with make_sessionmaker(engine).begin() as session:
            sync_from_tables(session, catalog_tables())
            for name, (spec, role, categories) in WORLD_USERS.items():
                org = resolve_org(session, spec)
                create_user(
                    session,
                    NewUser(emails[name], name, PASSWORD, org, role, categories),
                    actor="test",
                )
            session.flush()
            a1 = resolve_org(session, "agency:a1")
            session.add(AgencyShop(agency_org_id=a1.id, shop_id="s2"))
            add_to_roster(session, find_user(session, emails["manager"]), ["c2"], actor="test")
    finally:
        engine.dispose()
    return World(db_url, emails)


def world_emails() -> dict[str, str]:
    """The email of each :data:`WORLD_USERS` login."""
    return {name: f"{name}@example.com" for name in WORLD_USERS}


@pytest.fixture(scope="session")
def sqlite_world_template(sqlite_template: Path) -> Path:
    """A SQLite file holding the built world (hashing passwords once per session)."""
    path = sqlite_template.with_name("world.db")
    shutil.copy(sqlite_template, path)
    build_world(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_world_template(postgres_server: PostgresServer) -> Iterator[str]:
    """A PostgreSQL template database holding the built world."""
    name = postgres_server.create(postgres_server.template)
    build_world(postgres_server.url_for(name))
    yield name
    postgres_server.drop(name)


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """A fresh copy of :func:`build_world`'s database, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "world.db"
        shutil.copy(request.getfixturevalue("sqlite_world_template"), path)
        yield World(f"sqlite:///{path}", world_emails())
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create(request.getfixturevalue("postgres_world_template"))
    try:
        yield World(server.url_for(name), world_emails())
    finally:
        server.drop(name)


# --- calling a fresh app in-process through httpx's ASGI transport ----------------------------


class AppClient:
    """A synchronous facade over ``httpx.AsyncClient(transport=ASGITransport(app))``."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._loop = asyncio.new_event_loop()
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request through the app."""
        return self._loop.run_until_complete(self._client.request(method, path, **kwargs))

    def close(self) -> None:
        """Close the client, the app's engines and the loop."""
        self._loop.run_until_complete(self._client.aclose())
        self.app.state.engine.dispose()
        self.app.state.read_engine.dispose()
        self._loop.close()


def app_settings(db_url: str, home: Path) -> Settings:
    """Settings for a test app on ``db_url``."""
    return get_settings(database_url=db_url, home=home, secret_key="test-secret-key")


def issue(world: World, name: str, scopes: str = "read,write") -> str:
    """A fresh API token for the world login ``name``."""
    engine = make_engine(world.db_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            user = find_user(session, world.emails[name])
            scope_set = parse_scopes(scopes)
            return issue_token(session, user, name="test", scopes=scope_set, actor="test").secret
    finally:
        engine.dispose()


@pytest.fixture
def client(world: World, tmp_path: Path) -> Iterator[AppClient]:
    """A fresh app on the world's database."""
    app_client = AppClient(create_app(app_settings(world.db_url, tmp_path)))
    yield app_client
    app_client.close()


def shopstar_env(home: Path, db_url: str | None = None) -> dict[str, str]:
    """The environment of a CLI run: ``SHOPSTAR_HOME=home``, ``db_url`` as the app database
    (the home's default SQLite file when None) and a 160-column terminal."""
    env = {**os.environ, "SHOPSTAR_HOME": str(home), "COLUMNS": "160"}
    env.pop("SHOPSTAR_DATABASE_URL", None)
    if db_url is not None:
        env["SHOPSTAR_DATABASE_URL"] = db_url
    return env


def run_shopstar(
    home: Path,
    *args: str,
    db_url: str | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m shopstar ARGS`` in :func:`shopstar_env`."""
    return subprocess.run(
        [sys.executable, "-m", "shopstar", *args],
        env=shopstar_env(home, db_url),
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


# --- a real server: `shopstar serve` in a subprocess -------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    """A running ``shopstar serve``."""

    url: str
    process: subprocess.Popen[bytes]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(db_url: str, home: Path, timeout: float = 90.0) -> Iterator[LiveServer]:
    """Run ``python -m shopstar serve`` on a free loopback port until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "SHOPSTAR_HOME": str(home),
        "SHOPSTAR_DATABASE_URL": db_url,
        "SHOPSTAR_SECRET_KEY": "live-test-secret",
    }
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "shopstar", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError((home / "serve.log").read_text())
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {(home / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield LiveServer(url, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# --- Debian's headless Chromium for the browser tests -----------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parents[1] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright (screenshots go to :data:`SCREENSHOTS`).
    Without it the test fails in CI and is skipped elsewhere."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
