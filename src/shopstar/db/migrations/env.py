"""Alembic environment: the URL comes from ``shopstar.db.migrate``, metadata from the models."""

from __future__ import annotations

import importlib

from alembic import context

from shopstar.db import MODEL_MODULES, Base, make_engine
from shopstar.db.migrate import not_a_partition

for _module in MODEL_MODULES:
    importlib.import_module(_module)

config = context.config
url = config.attributes["shopstar_url"]


def run_offline() -> None:
    """Emit SQL to stdout instead of connecting."""
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Connect and migrate; SQLite uses batch mode so ALTERs work."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=not_a_partition(connection),
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
