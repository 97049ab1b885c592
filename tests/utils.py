"""Plain helpers the tests share (import them; never import from another test module)."""

from __future__ import annotations

import time
from pathlib import Path

BIRTHDAY = "1987-06-05"
ZONE = "America/Argentina/Ushuaia"


def stored_bytes(database) -> bytes:
    """Everything a database holds: its files on SQLite, every row as text on PostgreSQL."""
    if database.dialect == "sqlite":
        return raw_database_bytes(database.path)
    from tests.conftest import database_dump

    return database_dump(database).encode()


def raw_database_bytes(path: Path) -> bytes:
    """The bytes of the SQLite file and its -wal file as they sit on disk (no checkpoint first)."""
    return b"".join(Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal") if Path(f"{path}{suffix}").exists())


def sync_push(client, headers: dict, client_id: str, *mutations: tuple[str, dict]) -> None:
    """Push mutations numbered 1, 2, ... of one client; every one must apply."""
    body = {"clientId": client_id, "mutations": [
        {"id": i, "name": name, "args": args, "at": int(time.time() * 1000)} for i, (name, args) in enumerate(mutations, 1)
    ]}
    response = client.post("/api/sync/push", headers=headers, json=body)
    assert 200 == response.status_code and [] == response.json()["errors"], response.text


def plant_personal_data(client, double, email: str = "Private.Person@Example.com") -> dict[str, bytes]:
    """Sign a shopper up and give them every kind of personal value through the API (``double``: a PushDouble
    the app accepts); what was planted, by name, as the bytes that must not appear in plain text."""
    response = client.post("/api/auth/signup", json={"email": email, "password": "correct horse battery"})
    assert 201 == response.status_code, response.text
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    secret = client.post("/api/auth/totp/enrol", headers=headers).json()["secret"]
    sync_push(client, headers, "privacy-client-1", ("prefs.set", {"name": "birthday", "value": BIRTHDAY}),
              ("prefs.set", {"name": "nickname", "value": "Zebediah"}))
    sub = double.new_subscription()
    body = {**sub, "consent": True, "timeZone": ZONE, "locale": "en-GB"}
    assert 201 == client.post("/api/push/subscriptions", json=body, headers=headers).status_code
    return {
        "email": email.encode(), "totp secret": secret.encode(), "birthday": BIRTHDAY.encode(), "nickname": b"Zebediah",
        "time zone": ZONE.encode(), "endpoint": sub["endpoint"].rsplit("/", 1)[-1].encode(),
        "p256dh": sub["keys"]["p256dh"].encode(), "auth": sub["keys"]["auth"].encode(),
    }
