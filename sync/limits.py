"""The sync room's limits, filled from server settings."""

from __future__ import annotations

from dataclasses import dataclass

MAX_KEY_CHARS = 200
MAX_VALUE_BYTES = 16_384
FUTURE_SKEW_MS = 60_000
ERRORS_KEPT = 20


@dataclass(frozen=True)
class SyncLimits:
    """Bounds on what one push may carry."""

    max_mutations: int = 100
    max_args_bytes: int = 4096
