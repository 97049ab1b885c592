"""The retention room's own view of the settings (the domain never imports server/)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

PUSH_SERVICES: tuple[str, ...] = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "*.notify.windows.com",
)
"""The web push services' hosts an endpoint may name by default (``*.`` for subdomains); the settings start here."""


@dataclass(frozen=True)
class RetentionConfig:
    """Knobs of segments, triggers, scheduling and delivery."""

    push_services: tuple[str, ...] = PUSH_SERVICES
    test_origins: tuple[str, ...] = ()
    vapid_subject: str = "mailto:push@lastmile.invalid"
    concurrency: int = 8
    cart_abandoned_after: int = 3600
    cap_per_day: int = 2
    cap_per_week: int = 5
    quiet_hours: tuple[int, int] = (21, 9)
    default_time_zone: str = "UTC"
    fallback_locale: str = "en"
    points_expiring_within_days: int = 14
    churn_after_days: int = 90
    max_attempts: int = 6
    send_timeout: float = 10.0
    default_ttl: int = 86_400
    receipt_key: bytes = b""
    """HMAC key for message receipts (derived from the VAPID key by the server wiring)."""
    email: bool = False
    """Whether the email channel is on (LASTMILE_SMTP_URL set): shoppers without push get email instead."""
    public_url: str = "http://127.0.0.1:8000"
    """The shop's origin, for absolute links in email (unsubscribe, the message's page)."""
    email_text: Callable[..., str] | None = None
    """email_text(locale, key, **params): the email's own texts (footer, link) in the shopper's locale; the server
    hands over its i18n lookup (messages/email.json), since a domain room never imports server/."""
    holiday_names: Callable[[str, str], str | None] | None = None
    """holiday_names(locale, key): a known holiday's name in ``locale`` (None: not one the shop knows), which fills
    ``{holiday}`` in the message's language (retention/holiday_names.py); server/wiring.py hands it over. None: the
    calendar's name as stored."""
