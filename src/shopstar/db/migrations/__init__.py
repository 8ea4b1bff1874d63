"""Alembic migrations of the app DB (env.py, script template, versions/)."""
