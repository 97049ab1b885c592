"""Deterministic A/B assignment: the same shopper always lands in the same variant of a campaign."""

from __future__ import annotations

import hashlib
from typing import Sequence

from .models import Variant


def bucket(campaign_id: int, user_id: int, total: int) -> int:
    """A stable number in [0, total) from SHA-256 of "campaign:user" (same on every host and run)."""
    digest = hashlib.sha256(f"{campaign_id}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % total


HOLDOUT = "holdout"
"""The arm of shoppers a campaign leaves out (its messages carry this variant name and are never delivered)."""


def in_holdout(campaign_id: int, user_id: int, percent: int) -> bool:
    """Whether this shopper is in the campaign's holdout: a stable draw of its own (salted apart from the variant
    draw, so holdout and variants are independent)."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"holdout:{campaign_id}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def assign_variant(campaign_id: int, user_id: int, variants: Sequence[Variant]) -> Variant:
    """The variant this shopper gets, in proportion to the variants' weights."""
    point = bucket(campaign_id, user_id, sum(v.weight for v in variants))
    for variant in variants:
        if point < variant.weight:
            return variant
        point -= variant.weight
    raise AssertionError("weights must sum past the bucket")
