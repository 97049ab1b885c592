"""Plain helpers the tests share (import them; never from a conftest or another test module): tokens, rows, images, sessions."""

from __future__ import annotations

import io
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

from catalog import store as catalog_store
from clock import now_iso
from server.db import Database

ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
# A test-only low scrypt cost (production keeps 2**17; tests/api/test_accounts.py asserts that default).
TEST_SCRYPT_N = 2**10
PROBLEM = "application/problem+json"
BIRTHDAY = "1987-06-05"
ZONE = "America/Argentina/Ushuaia"


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


def assert_problem(response, status: int, *words: str) -> dict:
    """The response is an RFC 9457 problem with this status whose detail mentions ``words``."""
    assert status == response.status_code, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert status == body["status"]
    for word in words:
        assert word in body["detail"], body
    return body


def stored_bytes(database) -> bytes:
    """Everything a database holds: its files on SQLite, every row as text on PostgreSQL."""
    if database.dialect == "sqlite":
        return raw_database_bytes(database.path)
    return database_dump(database).encode()


def database_dump(database) -> str:
    """Every row of every table as text (to check what is, and is not, stored), on either database."""
    if database.dialect == "sqlite":
        return "\n".join(database.read().conn.iterdump())
    with database.snapshot() as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        return "\n".join(row[0] for t in tables for row in db.execute(f"SELECT x::text FROM {t} x").fetchall())


def raw_database_bytes(path: Path) -> bytes:
    """The bytes of the SQLite file and its -wal file as they sit on disk (no checkpoint first)."""
    return b"".join(Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal") if Path(f"{path}{suffix}").exists())


def read_stream_until(lines: Iterator[str], wanted: str, limit: int = 50) -> list[str]:
    """Lines of an event stream up to and including the first that starts with ``wanted`` (at most ``limit``)."""
    seen = []
    for line in lines:
        seen.append(line)
        if line.startswith(wanted):
            return seen
        assert len(seen) < limit, seen
    raise AssertionError(f"stream ended before {wanted!r}: {seen}")


def start_and_join(threads: list[threading.Thread], timeout: float | None = None) -> None:
    """Start every thread (so they run at once), then wait for each, at most ``timeout`` seconds each."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)


@contextmanager
def servers(fresh_db, settings, count: int) -> Iterator[list]:
    """``count`` server processes on the test's database: each its own PostgresDatabase on PostgreSQL (so their
    transactions really overlap), the one SQLite database shared (its one writer serialises them anyway); the
    PostgreSQL ones are closed after."""
    if fresh_db.dialect != "postgresql":
        yield [fresh_db] * count
        return
    from server.postgres import PostgresDatabase

    made = [PostgresDatabase(settings.database_url, max_size=1) for _ in range(count)]
    try:
        yield made
    finally:
        for database in made:
            database.close()


def race(databases: list, act) -> list[str]:
    """Run ``act(database, n)`` on every database at once (a barrier lines the threads up), as that many server
    processes would: each outcome is "done" or the name of what it raised, so an error nobody expected shows in the
    list instead of vanishing in a thread."""
    barrier = threading.Barrier(len(databases))
    outcomes: list[str] = []

    def run(database, n: int) -> None:
        barrier.wait()
        try:
            act(database, n)
            outcomes.append("done")
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    start_and_join([threading.Thread(target=run, args=(d, n)) for n, d in enumerate(databases)])
    return outcomes


def while_held(url: str, hold, work):
    """Run ``work()`` in a thread while another "process" (its own PostgresDatabase on ``url``) has ``hold(db)``'s
    writes open, then commit them; what ``work`` returned, or the name of what it raised."""
    from server.postgres import PostgresDatabase

    outcome = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as exc:
            outcome.append(type(exc).__name__)

    other = PostgresDatabase(url, max_size=1)
    thread = threading.Thread(target=run)
    try:
        with other.write() as db:
            hold(db)
            thread.start()
            thread.join(0.5)
        thread.join(30)
    finally:
        other.close()
    return outcome[0]


def waits_for_shopper_lock(url: str, user_id: int, work, hold: float = 0.5):
    """Run ``work()`` in a thread while another "process" (its own PostgresDatabase on ``url``) holds the shopper's
    lock; it must still be running when the lock is let go (it waited for it), then finish; its result."""
    from server.postgres import PostgresDatabase
    from sync import store as sync_store

    done, outcome = threading.Event(), {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the test below
            outcome["error"] = exc
        done.set()

    holder = PostgresDatabase(url, max_size=1)
    thread = threading.Thread(target=run)
    try:
        with holder.write() as db:
            sync_store.lock_shopper(db, user_id)
            thread.start()
            early = done.wait(hold)
        thread.join(30)
    finally:
        holder.close()
    assert not early, "the work did not wait for the shopper's lock another process held"
    assert done.is_set(), "the work did not finish once the shopper's lock was let go"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


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


def point_cli_at(monkeypatch, settings) -> None:
    """The CLI reads settings from the environment: make it open this test's data dir, database and token."""
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LASTMILE_ADMIN_TOKEN", settings.admin_token)
    if settings.database_url:  # the CLI opens the same database as the test
        monkeypatch.setenv("LASTMILE_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("LASTMILE_DATABASE_URL", raising=False)


@dataclass
class HtmlOutline:
    """What a reader gets from an HTML document: its language, title, headings, paragraphs and links (href, text)."""

    lang: str | None = None
    title: str = ""
    headings: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


class _Outliner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = HtmlOutline()
        self.open: list[tuple[str, list[str], dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.outline.lang = attrs.get("lang")
        elif tag == "br" and self.open:
            self.open[-1][1].append("\n")
        elif tag in ("title", "h1", "h2", "p", "a"):
            self.open.append((tag, [], attrs))

    def handle_endtag(self, tag):
        if not self.open or self.open[-1][0] != tag:
            return
        _, parts, attrs = self.open.pop()
        text = "".join(parts).strip()
        if self.open:  # a link's text is part of its paragraph's too
            self.open[-1][1].append(text)
        if tag == "title":
            self.outline.title = text
        elif tag in ("h1", "h2"):
            self.outline.headings.append(text)
        elif tag == "p":
            self.outline.paragraphs.append(text)
        else:
            self.outline.links.append((attrs.get("href", ""), text))

    def handle_data(self, data):
        if self.open:
            self.open[-1][1].append(data)


def parse_html(document: str) -> HtmlOutline:
    """The outline of an HTML document (an email's HTML part, a page), read with the standard library's parser."""
    parser = _Outliner()
    parser.feed(document)
    parser.close()
    return parser.outline
