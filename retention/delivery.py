"""The outbox worker: claim due deliveries, send them with pywebpush from a thread pool, record the outcome.

Delivery is at-most-once. Rows are claimed ('sending', attempts + 1) and committed *before* any request
leaves, and marked with their outcome after. A worker that dies in between leaves rows in 'sending';
they are never picked again (a later run marks old claims 'lost'). We chose this over at-least-once
because a shopper who gets the same offer twice is annoyed, while a lost notification still has its
offer in the synced view (`offers/{id}`) and, for offers, the Topic header lets a later one replace it.
A definite answer (429, 5xx, a connection that never opened) is retried after Retry-After or a backoff.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable
from urllib.parse import urlsplit

import urllib3
from pywebpush import WebPusher

from clock import iso

from . import push_store
from .config import RetentionConfig
from .endpoints import Resolver, check_endpoint, check_resolves_public, resolve
from .errors import ForbiddenEndpoint

log = logging.getLogger("lastmile.push")

LOST_AFTER = timedelta(minutes=10)
"""A claim older than this belongs to a worker that died (sends time out long before)."""
MAX_RETRY_AFTER = 86_400
BACKOFF_BASE = 30
BACKOFF_CAP = 3600


class _Response:
    """The slice of a requests.Response that pywebpush reads."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.text = body[:512].decode("utf-8", "replace")


class PushHTTP:
    """The HTTP client pywebpush posts through (its ``requests_session``): urllib3 keep-alive pools,
    no redirects followed (a 3xx is an answer, never a new target), no retries, no proxies from the
    environment. Leaner than a requests.Session, which doubled the CPU cost of a send."""

    def __init__(self, pool: int) -> None:
        self.pool = urllib3.PoolManager(num_pools=16, maxsize=pool, block=False, retries=False)

    def post(self, url: str, data: bytes | None = None, headers: Any = None, timeout: float | None = None) -> _Response:
        """POST and read the (small) answer."""
        response = self.pool.request(
            "POST", url, body=data, headers=dict(headers or {}), timeout=urllib3.Timeout(total=timeout),
            retries=False, redirect=False, preload_content=True,
        )
        return _Response(response.status, response.headers, response.data or b"")

    def close(self) -> None:
        """Close every pooled connection."""
        self.pool.clear()


@dataclass(frozen=True)
class Outcome:
    """How one send ended: a final state, or 'pending' with the time to retry."""

    outbox_id: int
    subscription_id: int
    state: str
    status: int | None
    retry_at: datetime | None = None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), bounded; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return float(min(max((when - now).total_seconds(), 0), MAX_RETRY_AFTER))


def backoff(attempts: int) -> float:
    """Exponential backoff after a failed attempt: 30 s, 60 s, 120 s, ... up to an hour."""
    return float(min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP))


def classify(row: dict, status: int | None, retry_after: str | None, now: datetime, max_attempts: int) -> Outcome:
    """The outcome of an answer (``status`` None = no answer: the connection failed)."""
    oid, sid = row["id"], row["subscription_id"]
    if status is not None and 200 <= status < 300:
        return Outcome(oid, sid, "accepted", status)
    if status in (404, 410):
        return Outcome(oid, sid, "gone", status)
    if status is None or status == 429 or status >= 500:
        if row["attempts"] + 1 >= max_attempts:
            return Outcome(oid, sid, "failed", status)
        wait = parse_retry_after(retry_after, now) if status in (429, 503) else None
        wait = max(wait if wait is not None else backoff(row["attempts"] + 1), 1.0)
        return Outcome(oid, sid, "pending", status, now + timedelta(seconds=wait))
    return Outcome(oid, sid, "rejected", status)  # 3xx (never followed), 400, 401, 403, 413...


class _RequestPathFilter(logging.Filter):
    """urllib3 logs every request line at DEBUG, and a push request's path is the subscription's device token."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 5 and isinstance(args[4], str) and args[4].count("/") > 1:
            record.args = (*args[:4], args[4].rsplit("/", 1)[0] + "/…", *args[5:])
        return True


_REQUEST_PATHS = _RequestPathFilter()


class PushSender:
    """Sends one claimed delivery: one Vapid signer reused, fresh claims per send, TTL/Urgency/Topic set."""

    def __init__(
        self,
        vapid: Any,
        config: RetentionConfig,
        *,
        resolver: Resolver = resolve,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.vapid = vapid
        self.config = config
        self.resolver = resolver
        self.clock = clock
        self.session = PushHTTP(config.concurrency)
        pool_log = logging.getLogger("urllib3.connectionpool")
        if _REQUEST_PATHS not in pool_log.filters:  # the senders' own pools log there, whoever made the logger
            pool_log.addFilter(_REQUEST_PATHS)

    def claims(self, endpoint: str) -> dict:
        """Fresh VAPID claims for this push service: its origin as audience, 12 hours to live."""
        parts = urlsplit(endpoint)
        return {"sub": self.config.vapid_subject, "aud": f"{parts.scheme}://{parts.netloc}", "exp": int(time.time()) + 12 * 3600}

    def send(self, row: dict) -> Outcome:
        """POST one encrypted notification; never raises."""
        now = self.clock()
        endpoint = row["endpoint"]
        try:
            check_endpoint(endpoint, self.config.push_services, self.config.test_origins)
            check_resolves_public(endpoint, self.config.test_origins, self.resolver)
        except ForbiddenEndpoint as exc:
            log.warning("push to subscription %s refused: %s", row["subscription_id"], exc)
            return Outcome(row["id"], row["subscription_id"], "rejected", None)
        headers = dict(self.vapid.sign(self.claims(endpoint)))
        # RFC 8291's own example sends it, and push services that parse bodies by type (web-push-testing, the
        # ecosystem's reference service) read no body without it: every message was a 400 there.
        headers["Content-Type"] = "application/octet-stream"
        headers["Urgency"] = row["urgency"]
        if row["topic"]:
            headers["Topic"] = row["topic"]
        info = {"endpoint": endpoint, "keys": {"p256dh": row["p256dh"], "auth": row["auth"]}}
        try:
            response = WebPusher(info, requests_session=self.session).send(  # type: ignore[arg-type]
                bytes(row["payload"]), headers, ttl=max(int(row["ttl"]), 1), timeout=self.config.send_timeout
            )
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.info("push to subscription %s failed: %s", row["subscription_id"], type(exc).__name__)
            return classify(row, None, None, now, self.config.max_attempts)
        return classify(row, response.status_code, response.headers.get("Retry-After"), now, self.config.max_attempts)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.session.close()


@dataclass
class DeliveryReport:
    """What one worker pass did."""

    sent: int = 0
    accepted: int = 0
    retried: int = 0
    gone: int = 0
    failed: int = 0
    rejected: int = 0
    lost: int = 0
    statuses: dict[int, int] = field(default_factory=dict)


def apply_outcomes(db: Any, outcomes: list[Outcome], now: datetime, report: DeliveryReport) -> None:
    """Record outcomes in the caller's transaction; 404/410 delete the subscription."""
    for outcome in outcomes:
        report.sent += 1
        if outcome.status is not None:
            report.statuses[outcome.status] = report.statuses.get(outcome.status, 0) + 1
        if outcome.state == "pending":
            report.retried += 1
            push_store.finish(db, outcome.outbox_id, "pending", outcome.status, iso(now), iso(outcome.retry_at))
            continue
        push_store.finish(db, outcome.outbox_id, outcome.state, outcome.status, iso(now))
        if outcome.state == "gone":
            report.gone += 1
            push_store.delete_subscription(db, outcome.subscription_id)
        elif outcome.state == "accepted":
            report.accepted += 1
        elif outcome.state == "failed":
            report.failed += 1
        else:
            report.rejected += 1


def deliver_due(
    database: Any,
    sender: PushSender,
    *,
    now: datetime | None = None,
    batch: int = 256,
    max_batches: int = 10_000,
    progress: Callable[[int], None] | None = None,
) -> DeliveryReport:
    """Send every delivery due at ``now``, ``batch`` claims per transaction, ``concurrency`` at a time."""
    now = now or sender.clock()
    report = DeliveryReport()
    with database.write() as db:
        report.lost = push_store.mark_lost(db, iso(now - LOST_AFTER))
    with ThreadPoolExecutor(max_workers=sender.config.concurrency, thread_name_prefix="push") as pool:
        for _ in range(max_batches):
            with database.write() as db:
                rows = push_store.claim_due(db, iso(now), batch)
            if not rows:
                break
            outcomes = list(pool.map(sender.send, rows))
            with database.write() as db:
                apply_outcomes(db, outcomes, sender.clock(), report)
            if progress is not None:
                progress(len(rows))
    return report
