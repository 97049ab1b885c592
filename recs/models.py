"""The recommendation room's wire Structs."""

from __future__ import annotations

from typing import Literal

import msgspec

from catalog.models import ProductSummary

Basis = Literal["history", "popular"]


class ForYou(msgspec.Struct, rename="camel", frozen=True):
    """The signed-in shopper's "for you" list; ``basis`` says whether their own history shaped it (``history``:
    at least one item came from it) or it is what sells best (``popular``: a new shopper, no consent to
    analytics, or nothing similar yet)."""

    items: list[ProductSummary]
    basis: Basis


class ModelInfo(msgspec.Struct, rename="camel", frozen=True):
    """What a refresh built: shoppers learnt from, items with neighbours, popular items."""

    shoppers: int
    items: int
    popular: int
