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
        lines = [(line.sku, line.qty, line.unit_price) for line in request.lines]
        found = redeem_coupon(request.db, request.user_id, request.code, request.subtotal, request.currency, request.now,
                              lines=lines, shipping=request.shipping)
    except CouponRejected as exc:
        raise UnknownCode(str(exc)) from None
    if found is None:
        return None
    offer, amount = found
    if offer.kind == "free_shipping":  # it pays the delivery fee, not the goods
        return Discount(code=offer.code, amount=0, shipping_discount=amount, offer_id=f"{OFFER_ID_PREFIX}{offer.id}",
                        source="offer", label=offer.title)
    return Discount(code=offer.code, amount=amount, offer_id=f"{OFFER_ID_PREFIX}{offer.id}", source="offer", label=offer.title)

