"""Shared fixtures: throwaway app databases on SQLite and PostgreSQL, built by migrations.

``db_url`` is parametrised over both backends: a test using it runs twice, each time on a fresh,
migrated database. ``empty_db_url`` is the same without migrations. PostgreSQL is
``postgresql+psycopg://postgres@127.0.0.1:5432`` unless ``SHOPSTAR_TEST_POSTGRES_URL`` says
otherwise; when it is down the PostgreSQL cases skip, or fail when ``CI=true``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shopstar.db import normalise_url, upgrade

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
