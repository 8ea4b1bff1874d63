"""Shared fixtures live in `appworld` (importable by tests, unlike a conftest module)."""

pytest_plugins = ["appworld"]
