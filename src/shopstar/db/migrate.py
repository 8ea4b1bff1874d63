"""Run the app DB's Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from shopstar.db.engine import make_engine, normalise_url

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at ShopStar's migrations and the database ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    config.attributes["shopstar_url"] = normalise_url(url)
    return config


def not_a_partition(connection: Connection) -> Callable[[str | None, str, Any], bool]:
    """An Alembic ``include_name`` hook that leaves out PostgreSQL partitions (a published
    run's rows, created at run time, not by migrations), so autogenerate never drops them.
    The partitions are looked up at the first call (autogenerate only): a query before the
    migration's transaction would open one that Alembic then never commits."""
    partitions: list[set[str]] = []

    def include(name: str | None, type_: str, _parents: Any) -> bool:
        if not partitions:
            query = text("SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r'")
            postgres = connection.dialect.name == "postgresql"
            partitions.append(set(connection.execute(query).scalars()) if postgres else set())
        return not (type_ == "table" and name in partitions[0])

    return include


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the latest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``base`` empties it)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision shipped with this version of ShopStar."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None when it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
