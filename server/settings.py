"""The one settings object, read from ``LASTMILE_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from accounts.vault import KeyringError, parse_keys
from retention.config import PUSH_SERVICES


class SettingsError(ValueError):
    """A LASTMILE_* variable holds a value the server cannot run with; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything the server, CLI and workers need to know about their environment."""

    data_dir: Path = Path("var")
    """Where the database, originals, variants and keys live (LASTMILE_DATA_DIR)."""

    db_path: Path | None = None
    """SQLite file (LASTMILE_DB_PATH); defaults to ``data_dir/lastmile.db``."""

    media_dir: Path | None = None
    """Where image originals and variants live (LASTMILE_MEDIA_DIR); defaults to ``data_dir``. Several hosts
    share one (a network file system), since the database names each file by its path under it."""

    database_url: str | None = None
    """postgresql://user@host:port/db to use PostgreSQL (LASTMILE_DATABASE_URL); unset means the SQLite file."""

    db_pool_size: int = 10
    """Most PostgreSQL connections one process opens (LASTMILE_DB_POOL_SIZE; docs/deployment.md has the budget)."""

    host: str = "127.0.0.1"
    """Interface the HTTP server binds to (LASTMILE_HOST)."""

    port: int = 8000
    """TCP port the HTTP server listens on (LASTMILE_PORT)."""

    workers: int = 1
    """Server worker processes (LASTMILE_WORKERS); see docs/performance.md for the choice."""

    admin_token: str | None = None
    """Bearer token for /api/admin/... (LASTMILE_ADMIN_TOKEN); unset means one is made once and kept in data_dir."""

    max_body_bytes: int = 1_048_576
    """Largest request body accepted on JSON routes (LASTMILE_MAX_BODY_BYTES)."""

    max_upload_bytes: int = 25_000_000
    """Largest image upload or import file accepted (LASTMILE_MAX_UPLOAD_BYTES)."""

    max_image_pixels: int = 50_000_000
    """Largest decoded image in pixels; more is treated as a decompression bomb (LASTMILE_MAX_IMAGE_PIXELS)."""

    max_import_line_bytes: int = 65_536
    """Longest catalog import line (LASTMILE_MAX_IMPORT_LINE_BYTES)."""

    catalog_max_age: int = 60
    """Seconds a catalog response is fresh in caches (LASTMILE_CATALOG_MAX_AGE)."""

    catalog_stale_while_revalidate: int = 86_400
    """Seconds a stale catalog response may be served while revalidating (LASTMILE_CATALOG_SWR)."""

    scrypt_n: int = 2**17
    """scrypt cost parameter n for password hashes, a power of two (LASTMILE_SCRYPT_N); tests lower it."""

    token_idle_days: int = 30
    """A device token unused this many days expires (LASTMILE_TOKEN_IDLE_DAYS)."""

    token_max_days: int = 180
    """A device token expires this many days after sign-in however much it is used (LASTMILE_TOKEN_MAX_DAYS)."""

    login_window_seconds: int = 900
    """Sliding window of the login rate limits (LASTMILE_LOGIN_WINDOW_SECONDS)."""

    login_max_failures_per_account: int = 10
    """Failed logins per account within the window before 429 (LASTMILE_LOGIN_MAX_FAILURES_PER_ACCOUNT)."""

    login_max_attempts_per_address: int = 100
    """Failed logins plus signups per client address within the window before 429 (LASTMILE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS)."""

    sync_max_mutations: int = 100
    """Most mutations in one sync push (LASTMILE_SYNC_MAX_MUTATIONS)."""

    sync_max_args_bytes: int = 4096
    """Largest encoded `args` of one mutation (LASTMILE_SYNC_MAX_ARGS_BYTES)."""

    sync_tombstone_days: int = 30
    """Deletion tombstones older than this are pruned; older cookies get a full snapshot (LASTMILE_SYNC_TOMBSTONE_DAYS)."""

    sync_heartbeat_seconds: int = 15
    """Seconds between heartbeats on the poke stream (LASTMILE_SYNC_HEARTBEAT_SECONDS)."""
    media_workers: int = 0
    """Processes building image variants in imports and rebuilds; 0 means one per CPU core (LASTMILE_MEDIA_WORKERS)."""

    points_hold_days: int = 7
    """Days earned points stay pending (covers returns) before they can be spent (LASTMILE_POINTS_HOLD_DAYS)."""

    vapid_private_key: str | None = None
    """VAPID private key, base64url raw or DER (LASTMILE_VAPID_PRIVATE_KEY); unset means one is made once and kept in data_dir/vapid-private.pem."""

    vapid_subject: str = "mailto:push@lastmile.invalid"
    """Contact the push services see in VAPID claims, mailto: or https: (LASTMILE_VAPID_SUBJECT)."""

    push_services: tuple[str, ...] = PUSH_SERVICES
    """Hosts a push endpoint may name, `*.` for subdomains (LASTMILE_PUSH_SERVICES, comma-separated)."""

    push_test_origins: tuple[str, ...] = ()
    """Extra push service origins, http allowed, for tests and local doubles (LASTMILE_PUSH_TEST_ORIGINS)."""

    push_concurrency: int = 8
    """Notifications sent at once by the delivery worker (LASTMILE_PUSH_CONCURRENCY)."""

    cart_abandoned_after: int = 3600
    """Seconds a cart must sit untouched before the cart-abandoned trigger fires (LASTMILE_CART_ABANDONED_AFTER)."""

    push_cap_per_day: int = 2
    """Most notifications a shopper gets in any 24 hours; more are deferred (LASTMILE_PUSH_CAP_PER_DAY)."""

    push_cap_per_week: int = 5
    """Most notifications a shopper gets in any 7 days; more are deferred (LASTMILE_PUSH_CAP_PER_WEEK)."""

    quiet_hours: tuple[int, int] = (21, 9)
    """Local hours [start, end) with no notifications, e.g. "21-9" (LASTMILE_QUIET_HOURS)."""

    operator_session_idle_minutes: int = 30
    """A console session unused this many minutes ends (LASTMILE_OPERATOR_SESSION_IDLE_MINUTES)."""

    operator_session_max_hours: int = 12
    """A console session ends this many hours after sign-in however much it is used (LASTMILE_OPERATOR_SESSION_MAX_HOURS)."""

    operator_token_days: int = 90
    """An operator's API token expires this many days after it was issued (LASTMILE_OPERATOR_TOKEN_DAYS)."""

    metrics_allow: tuple[str, ...] = ()
    """Networks that may scrape /metrics without a token, e.g. "127.0.0.1/32,10.0.0.0/8" (LASTMILE_METRICS_ALLOW)."""

    alert_webhook_url: str | None = None
    """Where `lastmile alerts check` posts alerts that turn on or off, as JSON (LASTMILE_ALERT_WEBHOOK_URL)."""

    smtp_url: str | None = field(default=None, repr=False)
    """smtp://user:pass@host:port (STARTTLS when the server offers it) or smtps://... (TLS from the start) for the
    email channel (LASTMILE_SMTP_URL); unset means no email is sent. Never shown: it holds the password."""

    email_from: str = "Lastmile <shop@lastmile.invalid>"
    """The From of marketing email (LASTMILE_EMAIL_FROM)."""

    public_url: str = "http://127.0.0.1:8000"
    """The shop's public origin, for links in email such as unsubscribe (LASTMILE_PUBLIC_URL)."""

    data_keys: str | None = field(default=None, repr=False)
    """Keys sealing personal data at rest, `kid:base64url-32-bytes` comma-separated, current first
    (LASTMILE_DATA_KEYS); unset means they are made once and kept in data_dir/data-keys (0600)."""

    def __post_init__(self) -> None:
        if self.operator_session_idle_minutes > self.operator_session_max_hours * 60:
            raise SettingsError("LASTMILE_OPERATOR_SESSION_IDLE_MINUTES cannot exceed LASTMILE_OPERATOR_SESSION_MAX_HOURS")

    @property
    def media_root(self) -> Path:
        """The directory media file paths in the database are relative to."""
        return self.media_dir or self.data_dir

    @property
    def database_path(self) -> Path:
        """The SQLite file actually used."""
        return self.db_path or self.data_dir / "lastmile.db"

    def with_(self, **changes: object) -> "Settings":
        """A copy with some fields changed (tests use it)."""
        return replace(self, **changes)

    def resolved_admin_token(self) -> str:
        """The admin token: the configured one, else one made once and kept in ``data_dir/admin-token``."""
        if self.admin_token:
            return self.admin_token
        path = self.data_dir / "admin-token"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token)
        return token


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number from {lo} to {hi}, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(f"{name} must be from {lo} to {hi}, got {value}")
    return value


def _power_of_two(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    value = _int(env, name, default, lo, hi)
    if value & (value - 1):
        raise SettingsError(f"{name} must be a power of two, got {value}")
    return value


def _path(env: Mapping[str, str], name: str, default: Path | None) -> Path | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if "\x00" in raw:
        raise SettingsError(f"{name} is not a usable path")
    return Path(raw)


def _host(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "") or default
    if any(c.isspace() for c in raw) or "/" in raw:
        raise SettingsError(f"{name} must be a host name or address, got {raw!r}")
    return raw


def _secret(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) < 16:
        # The value itself is a secret: say what is wrong without echoing it.
        raise SettingsError(f"{name} must be at least 16 characters long")
    return raw


def _csv(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    items = tuple(part.strip() for part in raw.split(",") if part.strip())
    if any(any(c.isspace() or c in "\x00/@" for c in item.split("://", 1)[-1]) for item in items):
        raise SettingsError(f"{name} must be a comma-separated list of hosts or origins, got {raw!r}")
    return items


def _database_url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    return parse_database_url(raw, name)


def parse_database_url(raw: str, name: str) -> str:
    """A PostgreSQL URL as given, or SettingsError naming ``name`` (never echoing the value: it may hold a password)."""
    if not raw.startswith(("postgresql://", "postgres://")):
        raise SettingsError(f"{name} must be a postgresql:// URL")
    if any(c.isspace() or c == "\x00" for c in raw):
        raise SettingsError(f"{name} must not contain spaces")
    return raw


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name) or ""
    networks = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(f"{name} must be comma-separated addresses or networks (CIDR), got {part!r}") from None
    return tuple(networks)


def _webhook(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in raw):
        raise SettingsError(f"{name} must be an http(s) URL")
    return raw


def _subject(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if not (raw.startswith("mailto:") or raw.startswith("https://")) or any(c.isspace() for c in raw):
        raise SettingsError(f"{name} must be a mailto: or https: URL, got {raw!r}")
    return raw


def _hours(env: Mapping[str, str], name: str, default: tuple[int, int]) -> tuple[int, int]:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    start, sep, end = raw.partition("-")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        raise SettingsError(f"{name} must look like 21-9 (start and end hour), got {raw!r}")
    hours = (int(start), int(end))
    if not all(0 <= h <= 23 for h in hours):
        raise SettingsError(f"{name} hours must be from 0 to 23, got {raw!r}")
    return hours


def _smtp_url(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    # The URL carries the SMTP password: every message says what is wrong without echoing it.
    if any(c.isspace() or ord(c) < 32 for c in raw):
        raise SettingsError(f"{name} must not contain spaces or control characters")
    parts = urlsplit(raw)
    if parts.scheme not in ("smtp", "smtps"):
        raise SettingsError(f"{name} must start with smtp:// or smtps://")
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(f"{name} has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise SettingsError(f"{name} must name the SMTP host")
    if port == 0:
        raise SettingsError(f"{name} has a port that is not a number from 1 to 65535")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SettingsError(f"{name} takes no path, query or fragment: smtp://user:pass@host:port")
    if parts.password is not None and not parts.username:
        raise SettingsError(f"{name} has a password without a user name")
    return raw


def _mailbox(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if any(ord(c) < 32 for c in raw) or "@" not in raw or len(raw) > 254:
        raise SettingsError(f"{name} must be an email address such as Shop <shop@example.com>, got {raw!r}")
    return raw


def _origin(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or default).rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.username \
            or any(c.isspace() for c in raw):
        raise SettingsError(f"{name} must be an origin such as https://shop.example.com, got {raw!r}")
    return raw


def _data_keys(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        parse_keys(raw)
    except KeyringError as exc:
        # KeyringError messages never carry key material, so they can be shown.
        raise SettingsError(f"{name}: {exc}") from None
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment; raise SettingsError naming the first bad variable."""
    env = os.environ if env is None else env
    data_dir = _path(env, "LASTMILE_DATA_DIR", Path("var"))
    assert data_dir is not None
    return Settings(
        data_dir=data_dir,
        db_path=_path(env, "LASTMILE_DB_PATH", None),
        media_dir=_path(env, "LASTMILE_MEDIA_DIR", None),
        database_url=_database_url(env, "LASTMILE_DATABASE_URL"),
        db_pool_size=_int(env, "LASTMILE_DB_POOL_SIZE", 10, 1, 1000),
        host=_host(env, "LASTMILE_HOST", "127.0.0.1"),
        port=_int(env, "LASTMILE_PORT", 8000, 1, 65535),
        workers=_int(env, "LASTMILE_WORKERS", 1, 1, 64),
        admin_token=_secret(env, "LASTMILE_ADMIN_TOKEN"),
        max_body_bytes=_int(env, "LASTMILE_MAX_BODY_BYTES", 1_048_576, 1024, 64 * 1_048_576),
        max_upload_bytes=_int(env, "LASTMILE_MAX_UPLOAD_BYTES", 25_000_000, 1024, 500_000_000),
        max_image_pixels=_int(env, "LASTMILE_MAX_IMAGE_PIXELS", 50_000_000, 10_000, 500_000_000),
        max_import_line_bytes=_int(env, "LASTMILE_MAX_IMPORT_LINE_BYTES", 65_536, 256, 10_485_760),
        catalog_max_age=_int(env, "LASTMILE_CATALOG_MAX_AGE", 60, 0, 31_536_000),
        catalog_stale_while_revalidate=_int(env, "LASTMILE_CATALOG_SWR", 86_400, 0, 31_536_000),
        scrypt_n=_power_of_two(env, "LASTMILE_SCRYPT_N", 2**17, 2**10, 2**20),
        token_idle_days=_int(env, "LASTMILE_TOKEN_IDLE_DAYS", 30, 1, 3650),
        token_max_days=_int(env, "LASTMILE_TOKEN_MAX_DAYS", 180, 1, 3650),
        login_window_seconds=_int(env, "LASTMILE_LOGIN_WINDOW_SECONDS", 900, 1, 86_400),
        login_max_failures_per_account=_int(env, "LASTMILE_LOGIN_MAX_FAILURES_PER_ACCOUNT", 10, 1, 10_000),
        login_max_attempts_per_address=_int(env, "LASTMILE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS", 100, 1, 1_000_000),
        sync_max_mutations=_int(env, "LASTMILE_SYNC_MAX_MUTATIONS", 100, 1, 10_000),
        sync_max_args_bytes=_int(env, "LASTMILE_SYNC_MAX_ARGS_BYTES", 4096, 64, 1_048_576),
        sync_tombstone_days=_int(env, "LASTMILE_SYNC_TOMBSTONE_DAYS", 30, 1, 3650),
        sync_heartbeat_seconds=_int(env, "LASTMILE_SYNC_HEARTBEAT_SECONDS", 15, 1, 300),
        media_workers=_int(env, "LASTMILE_MEDIA_WORKERS", 0, 0, 64),
        points_hold_days=_int(env, "LASTMILE_POINTS_HOLD_DAYS", 7, 0, 365),
        vapid_private_key=_secret(env, "LASTMILE_VAPID_PRIVATE_KEY"),
        vapid_subject=_subject(env, "LASTMILE_VAPID_SUBJECT", Settings.vapid_subject),
        push_services=_csv(env, "LASTMILE_PUSH_SERVICES", Settings.push_services),
        push_test_origins=_csv(env, "LASTMILE_PUSH_TEST_ORIGINS", ()),
        push_concurrency=_int(env, "LASTMILE_PUSH_CONCURRENCY", 8, 1, 256),
        cart_abandoned_after=_int(env, "LASTMILE_CART_ABANDONED_AFTER", 3600, 60, 30 * 86_400),
        push_cap_per_day=_int(env, "LASTMILE_PUSH_CAP_PER_DAY", 2, 1, 100),
        push_cap_per_week=_int(env, "LASTMILE_PUSH_CAP_PER_WEEK", 5, 1, 700),
        quiet_hours=_hours(env, "LASTMILE_QUIET_HOURS", (21, 9)),
        operator_session_idle_minutes=_int(env, "LASTMILE_OPERATOR_SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
        operator_session_max_hours=_int(env, "LASTMILE_OPERATOR_SESSION_MAX_HOURS", 12, 1, 24 * 30),
        operator_token_days=_int(env, "LASTMILE_OPERATOR_TOKEN_DAYS", 90, 1, 3650),
        metrics_allow=_networks(env, "LASTMILE_METRICS_ALLOW"),
        alert_webhook_url=_webhook(env, "LASTMILE_ALERT_WEBHOOK_URL"),
        data_keys=_data_keys(env, "LASTMILE_DATA_KEYS"),
        smtp_url=_smtp_url(env, "LASTMILE_SMTP_URL"),
        email_from=_mailbox(env, "LASTMILE_EMAIL_FROM", Settings.email_from),
        public_url=_origin(env, "LASTMILE_PUBLIC_URL", Settings.public_url),
    )
