"""The app database: one ORM ``Base``, engines, sessions and Alembic migrations.

Adding models from another capability: define them on :class:`Base`, add the module's dotted
name to :data:`MODEL_MODULES` (Alembic's ``env.py`` imports every module listed there), then
generate a revision against a database at the current head::

    from alembic import command
    from shopstar.db import upgrade
    from shopstar.db.migrate import alembic_config

    upgrade("sqlite:////tmp/head.db")
    command.revision(alembic_config("sqlite:////tmp/head.db"), "what changed", autogenerate=True)

and review it (replace app column types by plain ``sa`` types, as revision 0001 does).
"""

from shopstar.db.base import Base
from shopstar.db.engine import make_engine, make_sessionmaker, normalise_url
from shopstar.db.migrate import current_revision, downgrade, head_revision, upgrade

MODEL_MODULES: tuple[str, ...] = (
    "shopstar.accounts.models",
    "shopstar.catalog.models",
    "shopstar.analytics.published",
)

__all__ = [
    "MODEL_MODULES",
    "Base",
    "current_revision",
    "downgrade",
    "head_revision",
    "make_engine",
    "make_sessionmaker",
    "normalise_url",
    "upgrade",
]
