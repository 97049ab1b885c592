"""Shared fixtures: a fresh migrated database, settings in a temp dir, a test client, catalog helpers."""

from __future__ import annotations

import io
import random
from typing import Iterator

import pytest
from litestar.testing import TestClient

from catalog import store as catalog_store
from clock import now_iso
from server.app import create_app
from server.db import Database
from server.settings import Settings
from server.stores import open_database

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
TEST_SCRYPT_N = 2**10


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings whose data dir is this test's temp dir."""
    # scrypt_n: a test-only low cost (production keeps 2**17; tests/api/test_accounts.py asserts that default).
    return Settings(data_dir=tmp_path / "var", admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N)


@pytest.fixture
def fresh_db(settings) -> Iterator[Database]:
    """A new, fully migrated database."""
    database = open_database(settings)
    yield database
    database.close()


@pytest.fixture
def client(settings, fresh_db) -> Iterator[TestClient]:
    """A Litestar test client over the whole app on the fresh database."""
    with TestClient(create_app(settings, fresh_db)) as test_client:
        yield test_client


@pytest.fixture
def admin_headers() -> dict[str, str]:
    """Headers that pass the admin guard."""
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def add_product(database: Database, product_id: str, **fields) -> None:
    """Upsert one product with sensible defaults (tests override what they care about)."""
    row = {
        "id": product_id,
        "name": fields.pop("name", f"Product {product_id}"),
        "description": fields.pop("description", "A product used in tests."),
        "price": fields.pop("price", 1000),
        "currency": fields.pop("currency", "EUR"),
        "category": fields.pop("category", "misc"),
        "stock": fields.pop("stock", 10),
    }
    images = fields.pop("images", [])
    assert not fields, f"unknown fields {fields}"
    with database.write() as db:
        catalog_store.upsert_product(db, row, images, now_iso())


def jpeg_bytes(width: int = 64, height: int = 48, seed: int = 1, **save) -> bytes:
    """A small noisy JPEG (noise so that it is not trivially compressible)."""
    from PIL import Image

    rng = random.Random(seed)
    image = Image.effect_noise((width, height), 40 + rng.random() * 20).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "JPEG", **save)
    return buf.getvalue()


def session_headers(session: dict) -> dict[str, str]:
    """Headers for a signup/login answer: its bearer token, and its ids in ``X-Test-User``/``-Device``."""
    return {
        "Authorization": f"Bearer {session['token']}",
        "X-Test-User": str(session["userId"]),
        "X-Test-Device": str(session["deviceId"]),
    }


def apply_patch(view: dict, patch: list[dict]) -> None:
    """Apply a pull's patch to a client view, as a client does (clear, then puts and deletes in order)."""
    for op in patch:
        if op["op"] == "clear":
            view.clear()
        elif op["op"] == "put":
            view[op["key"]] = op["value"]
        else:
            view.pop(op["key"], None)


def sign_up(client, email: str = "shopper@example.com", password: str = "correct horse battery", device: str = "phone") -> dict[str, str]:
    """Create a shopper through the API; headers carrying their bearer token (ids in ``X-Test-User``/``-Device``)."""
    response = client.post("/api/auth/signup", json={"email": email, "password": password, "deviceName": device})
    assert 201 == response.status_code, response.text
    return session_headers(response.json())


def log_in(client, email: str = "shopper@example.com", password: str = "correct horse battery", device: str = "laptop") -> dict[str, str]:
    """Sign another device of an existing shopper in; headers as sign_up gives."""
    response = client.post("/api/auth/login", json={"email": email, "password": password, "deviceName": device})
    assert 200 == response.status_code, response.text
    return session_headers(response.json())
