"""Settings from LASTMILE_* variables: defaults that run on a laptop, bad values named."""

from pathlib import Path

import pytest

from server.settings import Settings, SettingsError, load_settings


def test_defaults_run_on_one_laptop():
    settings = load_settings({})
    assert Path("var") == settings.data_dir
    assert Path("var/lastmile.db") == settings.database_path
    assert ("127.0.0.1", 8000) == (settings.host, settings.port)


def test_variables_override():
    settings = load_settings(
        {"LASTMILE_DATA_DIR": "/tmp/x", "LASTMILE_PORT": "9001", "LASTMILE_HOST": "::1", "LASTMILE_DB_PATH": "/tmp/y.db"}
    )
    assert (Path("/tmp/x"), 9001, "::1", Path("/tmp/y.db")) == (
        settings.data_dir, settings.port, settings.host, settings.database_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LASTMILE_PORT", "http"),
        ("LASTMILE_PORT", "0"),
        ("LASTMILE_PORT", "70000"),
        ("LASTMILE_WORKERS", "-1"),
        ("LASTMILE_HOST", "bad host"),
        ("LASTMILE_MAX_BODY_BYTES", "1e6"),
        ("LASTMILE_ADMIN_TOKEN", "short"),
    ],
)
def test_a_bad_value_names_the_variable(name, value):
    with pytest.raises(SettingsError) as info:
        load_settings({name: value})
    assert name in str(info.value)


def test_a_bad_secret_is_not_echoed():
    with pytest.raises(SettingsError) as info:
        load_settings({"LASTMILE_ADMIN_TOKEN": "hunter2"})
    assert "hunter2" not in str(info.value)


def test_admin_token_is_made_once_and_kept_private(tmp_path):
    settings = Settings(data_dir=tmp_path)
    token = settings.resolved_admin_token()
    assert len(token) >= 40
    assert token == Settings(data_dir=tmp_path).resolved_admin_token()
    assert 0o600 == (tmp_path / "admin-token").stat().st_mode & 0o777
