"""The retention room's runtime built once per settings: its config, the one VAPID signer, the sender."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from retention.config import RetentionConfig
from retention.delivery import PushSender
from retention.receipts import receipt_key_from
from retention.vapid_keys import application_server_key, load_vapid
from server.settings import Settings


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
    )


@lru_cache(maxsize=8)
def push_runtime(settings: Settings) -> PushRuntime:
    """Load (or make once) the VAPID key and build the runtime for these settings."""
    vapid = load_vapid(settings.data_dir, settings.vapid_private_key)
    return PushRuntime(
        config=retention_config(settings, receipt_key_from(vapid)),
        vapid=vapid,
        public_key=application_server_key(vapid),
    )
