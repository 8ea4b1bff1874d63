"""Settings come from the environment, then a TOML file, then defaults."""

from pathlib import Path

import pytest

from shopstar.config import get_settings
from shopstar.errors import ConfigError


def test_defaults_put_everything_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPSTAR_HOME", str(tmp_path))
    settings = get_settings()
    assert settings.lake_dir == tmp_path / "lake"
    assert settings.db_url == f"sqlite:///{tmp_path / 'shopstar.db'}"


def test_toml_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPSTAR_HOME", str(tmp_path))
    (tmp_path / "shopstar.toml").write_text('port = 9001\nengine = "spark"\n')
    monkeypatch.setenv("SHOPSTAR_ENGINE", "duckdb")
    settings = get_settings()
    assert settings.port == 9001
    assert settings.engine == "duckdb"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SHOPSTAR_PORT": "x"}, "port"),
        ({"SHOPSTAR_ENGINE": "oracle"}, "engine"),
        ({"SHOPSTAR_CONFIG": "/nonexistent.toml"}, "SHOPSTAR_CONFIG"),
    ],
)
def test_bad_settings_name_the_setting(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHOPSTAR_HOME", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        get_settings()


def test_production_refuses_the_development_secret(tmp_path: Path) -> None:
    settings = get_settings(home=tmp_path, environment="production")
    with pytest.raises(ConfigError, match="secret_key"):
        settings.check_production()
