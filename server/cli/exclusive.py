"""What a job command says and returns when another runner (this host or another) holds its job."""

from __future__ import annotations

import sys

BUSY = 75  # EX_TEMPFAIL: cron may try again later; nothing was done


def busy(command: str) -> int:
    """Tell the operator another run holds the job; the exit status for it."""
    print(f"{command}: another run of this job is in progress (here or on another host); nothing done", file=sys.stderr)
    return BUSY
