"""The poke stream over real HTTP (uvicorn on 127.0.0.1): an event reaches a device after another one pushes."""

from __future__ import annotations

import uuid
from typing import Iterator

import httpx
import pytest

from server.app import create_app
from server.settings import Settings
from server.stores import open_database
from tests.live_server import LiveServer
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N, add_product, read_stream_until

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("poke"), admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N, sync_heartbeat_seconds=1
    )
    database = open_database(settings)
    add_product(database, "MUG-1", stock=50)
    with LiveServer(create_app(settings, database)) as server:
        yield server.url
    database.close()


def session(url: str, email: str, signup: bool) -> dict[str, str]:
    path = "/api/auth/signup" if signup else "/api/auth/login"
    response = httpx.post(url + path, json={"email": email, "password": PASSWORD, "deviceName": "d"})
    assert response.status_code in (200, 201), response.text
    return {"Authorization": "Bearer " + response.json()["token"]}


def push_one(url: str, headers: dict[str, str]) -> None:
    body = {"clientId": str(uuid.uuid4()), "mutations": [{"id": 1, "name": "cart.add", "args": {"sku": "MUG-1"}, "at": 1}]}
    assert 200 == httpx.post(url + "/api/sync/push", headers=headers, json=body).status_code


def test_a_poke_arrives_after_another_device_pushes_with_a_ticket(live):
    phone = session(live, "ana@example.com", signup=True)
    laptop = session(live, "ana@example.com", signup=False)
    ticket = httpx.post(live + "/api/sync/poke-ticket", headers=phone).json()
    assert 300 == ticket["expiresIn"]
    with httpx.stream("GET", live + "/api/sync/poke", params={"ticket": ticket["ticket"]}, timeout=10) as stream:
        assert 200 == stream.status_code
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.headers
        lines = stream.iter_lines()
        read_stream_until(lines, "event: ready")
        push_one(live, laptop)
        seen = read_stream_until(lines, "event: poke")
        assert not any(line.startswith("event: poke") for line in seen[:-1])
        # Quiet periods carry heartbeats so proxies and the client know the stream is alive.
        read_stream_until(lines, ": heartbeat")


def test_bearer_header_works_and_other_users_pushes_do_not_poke(live):
    ana = session(live, "ana2@example.com", signup=True)
    bob = session(live, "bob2@example.com", signup=True)
    with httpx.stream("GET", live + "/api/sync/poke", headers=ana, timeout=10) as stream:
        lines = stream.iter_lines()
        read_stream_until(lines, "event: ready")
        push_one(live, bob)
        seen = read_stream_until(lines, ": heartbeat")  # bob's push: nothing for ana
        assert not any(line.startswith("event: poke") for line in seen)
        push_one(live, ana)
        read_stream_until(lines, "event: poke")


def test_a_revoked_device_stream_ends(live):
    phone = session(live, "cy@example.com", signup=True)
    laptop = session(live, "cy@example.com", signup=False)
    me = httpx.get(live + "/api/me", headers=phone).json()
    with httpx.stream("GET", live + "/api/sync/poke", headers=phone, timeout=10) as stream:
        lines = stream.iter_lines()
        read_stream_until(lines, "event: ready")
        assert 204 == httpx.delete(f"{live}/api/devices/{me['deviceId']}", headers=laptop).status_code
        rest = list(lines)  # ends at the next heartbeat check
        assert not any(line.startswith("event:") for line in rest)


def test_stream_credentials_are_checked(live):
    assert 401 == httpx.get(live + "/api/sync/poke", params={"ticket": "x" * 43}, timeout=5).status_code
    assert 401 == httpx.get(live + "/api/sync/poke", timeout=5).status_code
