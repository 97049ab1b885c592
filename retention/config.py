"""The retention room's own view of the settings (the domain never imports server/)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetentionConfig:
    """Knobs of segments, triggers, scheduling and delivery."""

    push_services: tuple[str, ...] = (
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "web.push.apple.com",
        "*.notify.windows.com",
    )
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
