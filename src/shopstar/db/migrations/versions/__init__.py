"""Alembic revisions, one module each, applied in order by ``shopstar.db.upgrade``."""
