"""Errors a user can cause and fix; the CLI prints them as one line, the API as a 4xx."""


class ShopstarError(Exception):
    """Bad input or state that the user can act on. ``exit_code`` is used by the CLI."""

    exit_code = 1


class UnreadableInput(ShopstarError):
    """An input file cannot be read at all (missing, not a table, wrong encoding...)."""

    exit_code = 2


class ConfigError(ShopstarError):
    """The configuration (environment or TOML file) is invalid."""

    exit_code = 2
