"""The retention room's runtime built once per settings: its config, the one VAPID signer, the sender."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from retention.config import RetentionConfig
from retention.delivery import PushSender
from retention.email_delivery import EmailSender
from retention.receipts import receipt_key_from
from retention.vapid_keys import application_server_key, load_vapid
from server import i18n
from server.settings import Settings
from server.wiring import holiday_names


def email_text(locale: str, key: str, **params: object) -> str:
    """The email channel's own texts (server/i18n/messages/email.json) for the retention room."""
    return i18n.t(locale, f"email.{key}", **params)


@dataclass(frozen=True)
class PushRuntime:
    """What the push routes, the worker and the CLI share."""

    config: RetentionConfig
    vapid: Any
    public_key: str

    def sender(self) -> PushSender:
        """A sender (it owns a connection pool: close it when done)."""
        return PushSender(self.vapid, self.config)


def retention_config(settings: Settings, receipt_key: bytes = b"") -> RetentionConfig:
    """The retention knobs from the settings."""
    return RetentionConfig(
        push_services=settings.push_services,
        test_origins=settings.push_test_origins,
        vapid_subject=settings.vapid_subject,
        concurrency=settings.push_concurrency,
        cart_abandoned_after=settings.cart_abandoned_after,
        cap_per_day=settings.push_cap_per_day,
        cap_per_week=settings.push_cap_per_week,
        quiet_hours=settings.quiet_hours,
        receipt_key=receipt_key,
        email=settings.smtp_url is not None,
        public_url=settings.public_url,
        email_text=email_text,
        holiday_names=holiday_names,
    )


def email_sender(settings: Settings) -> EmailSender | None:
    """The SMTP sender of the email channel, or None when LASTMILE_SMTP_URL is unset (it connects on first send)."""
    return EmailSender(settings.smtp_url, settings.email_from) if settings.smtp_url else None


@lru_cache(maxsize=8)
def push_runtime(settings: Settings) -> PushRuntime:
    """Load (or make once) the VAPID key and build the runtime for these settings."""
    vapid = load_vapid(settings.data_dir, settings.vapid_private_key)
    return PushRuntime(
        config=retention_config(settings, receipt_key_from(vapid)),
        vapid=vapid,
        public_key=application_server_key(vapid),
    )
