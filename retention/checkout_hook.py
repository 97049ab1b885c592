"""Retention coupons at checkout: the discount provider server/wiring.py hands to loyalty's checkout."""

from __future__ import annotations

from loyalty.checkout import DiscountRequest
from loyalty.errors import UnknownCode
from loyalty.models import Discount

from .errors import CouponRejected
from .offers import OFFER_ID_PREFIX, redeem_coupon


def retention_discount(request: DiscountRequest) -> Discount | None:
    """The discount of a retention coupon (recorded in the checkout's transaction); None for codes not ours."""
    try:
        found = redeem_coupon(request.db, request.user_id, request.code, request.subtotal, request.currency, request.now)
    except CouponRejected as exc:
        raise UnknownCode(str(exc)) from None
    if found is None:
        return None
    offer, amount = found
    return Discount(code=offer.code, amount=amount, offer_id=f"{OFFER_ID_PREFIX}{offer.id}", source="offer", label=offer.title)

