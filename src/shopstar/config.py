"""Settings: ``SHOPSTAR_*`` environment variables, then an optional TOML file, then defaults.

The TOML file is ``$SHOPSTAR_CONFIG`` when set, else ``$SHOPSTAR_HOME/shopstar.toml`` when it
exists. Keys in the file are the setting names without the prefix (``database_url = "..."``).
Settings are read when :func:`get_settings` is called, never at import time.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopstar.errors import ConfigError

DEV_SECRET = "dev-only-change-me"
DUCKDB_MEMORY_LIMIT = "8GB"  # scoring spills to disk beyond this (docs/performance.md, 100M)
DUCKDB_SPILL_LIMIT = "30GB"  # and fails beyond this much spilled, rather than fill the disk


def default_home() -> Path:
    """``$XDG_DATA_HOME/shopstar``, or ``~/.local/share/shopstar``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "shopstar"


class Settings(BaseSettings):
    """Every ShopStar setting, with its default. Environment variables are ``SHOPSTAR_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SHOPSTAR_", extra="forbid")

    home: Path = Field(default_factory=default_home, description="Lake and embedded DB location.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the app DB; default SQLite under home."
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb", description="Analytics engine for `shopstar score`."
    )
    spark_master: str = Field(default="local[2]", description="Spark master URL.")
    duckdb_memory_limit: str = Field(
        default=DUCKDB_MEMORY_LIMIT,
        description="Memory DuckDB may use when scoring (e.g. 8GB); the rest spills to disk.",
    )
    duckdb_spill_limit: str = Field(
        default=DUCKDB_SPILL_LIMIT,
        description="Disk DuckDB may spill to when scoring; a query needing more fails.",
    )
    secret_key: str = Field(default=DEV_SECRET, description="Signs session cookies.")
    environment: Literal["development", "production"] = Field(
        default="development", description="`production` refuses the development secret."
    )
    host: str = Field(default="127.0.0.1", description="Web server bind address.")
    port: int = Field(default=8000, ge=1, le=65535, description="Web server port.")

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def lake_dir(self) -> Path:
        """Where ingested Parquet lives."""
        return self.home / "lake"

    @property
    def db_url(self) -> str:
        """The app DB URL, defaulting to a SQLite file under home."""
        return self.database_url or f"sqlite:///{self.home / 'shopstar.db'}"

    def check_production(self) -> None:
        """Refuse the development secret outside development."""
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ConfigError("secret_key: the development secret cannot be used in production")


def _toml_values(env: dict[str, str]) -> dict[str, Any]:
    explicit = env.get("SHOPSTAR_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"SHOPSTAR_CONFIG: {explicit!r} is not a file")
    else:
        home = Path(env["SHOPSTAR_HOME"]).expanduser() if "SHOPSTAR_HOME" in env else None
        path = (home or default_home()) / "shopstar.toml"
        if not path.is_file():
            return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid TOML file ({exc})") from exc
    # environment variables take precedence over the file
    return {k: v for k, v in data.items() if f"SHOPSTAR_{k.upper()}" not in env}


def get_settings(**overrides: Any) -> Settings:
    """Read and validate the settings now; keyword overrides win over everything."""
    values = {**_toml_values(dict(os.environ)), **overrides}
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"{name}: {first['msg']} (got {first.get('input')!r})") from exc
