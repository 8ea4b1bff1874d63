"""Engines and sessions for the app DB (SQLite with WAL and foreign keys, or PostgreSQL)."""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shopstar.errors import ConfigError


def _sqlite_pragmas(read_only: bool) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA mmap_size=268435456")  # read pages from the OS cache, no copy
        cursor.execute("PRAGMA cache_size=-16384")  # 16 MiB of page cache per connection
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return on_connect


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled PostgreSQL connection the server has closed (restart, terminated
    backend) before anyone uses it, without a round trip: an idle connection has nothing to
    read, so a readable socket means the server hung up or said goodbye. The pool then
    discards it and checks out (or opens) another one."""
    if dbapi_connection.closed:
        raise exc.DisconnectionError("the connection is closed")
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN)
    if poller.poll(0):
        raise exc.DisconnectionError("the server closed the connection")


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs; refuse backends ShopStar does not support."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # SQLAlchemy raises ArgumentError with a terse message
        raise ConfigError(f"database_url: {url!r} is not a database URL") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite":
        return url
    raise ConfigError(f"database_url: {backend!r} is not supported (use sqlite or postgresql)")


def make_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite connections get WAL, foreign keys and a busy timeout.

    PostgreSQL connections are pinged before use unless ``pool_pre_ping=False``; either way a
    pooled connection the server has closed is replaced at checkout (no round trip).
    ``read_only`` refuses writes on every connection (``query_only`` on SQLite, read-only
    transactions on PostgreSQL)."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(read_only))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if read_only:
        kwargs.setdefault("connect_args", {})["options"] = "-c default_transaction_read_only=on"
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", _refuse_closed_connection)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)
