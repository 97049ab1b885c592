"""Shared fixtures: a fresh migrated database, settings in a temp dir, a test client, admin headers."""

from __future__ import annotations

from typing import Iterator

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.db import Database
from server.settings import Settings
from server.stores import open_database
from server.wiring import Hooks, install
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings whose data dir is this test's temp dir."""
    return Settings(data_dir=tmp_path / "var", admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N)


@pytest.fixture
def fresh_db(settings) -> Iterator[Database]:
    """A new, fully migrated database."""
    database = open_database(settings)
    yield database
    database.close()


@pytest.fixture
def hooks() -> Hooks:
    """The cross-room hooks the test app runs with: every room's (a test module overrides this to add stand-ins)."""
    return install()


@pytest.fixture
def client(settings, fresh_db, hooks) -> Iterator[TestClient]:
    """A Litestar test client over the whole app on the fresh database."""
    with TestClient(create_app(settings, fresh_db, hooks)) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    """Headers that pass the admin guard."""
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
