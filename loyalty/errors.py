"""Errors of the loyalty room (orders, points, tiers, rewards); server/http/problems.py maps them to problem details."""

from sync.errors import PermanentError


class LoyaltyError(Exception):
    """Base of every loyalty error."""


class UnknownOrder(LoyaltyError):
    """No order with that id for this shopper (another shopper's order is unknown too)."""


class UnknownReward(LoyaltyError):
    """No reward with that id."""

    code = "unknown-reward"
    """Why, for the console's text (rewards.refused.<code>)."""


class BadOrderInput(LoyaltyError):
    """Checkout or status input that cannot be used (bad code, mixed currencies, too many lines)."""


class EmptyCart(LoyaltyError):
    """Checkout of a cart with no lines."""


class OutOfStock(LoyaltyError):
    """A cart line asks for more than the catalog has; ``problems`` lists (sku, what is wrong)."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.problems = problems or []


class UnknownCode(LoyaltyError):
    """An offer or coupon code that nobody recognises, or that does not apply to this cart."""


class IdempotencyMismatch(LoyaltyError):
    """The Idempotency-Key was used before with a different request body."""


class BadTransition(LoyaltyError):
    """An order status change the order's life cycle does not allow (placed → paid → fulfilled, → cancelled/refunded)."""


class NotEnoughPoints(LoyaltyError):
    """A redemption that costs more points than the shopper has available."""


class RewardUnavailable(LoyaltyError):
    """A reward that is sold out or withdrawn."""


class TierTooLow(LoyaltyError):
    """A tier-exclusive reward (or perk) asked for by a shopper below its tier."""


class NotEnoughGrowth(LoyaltyError):
    """A coupon or draw that costs more growth than the shopper can spend."""


class GrowthCapReached(LoyaltyError):
    """A check-in, review or share past its cap (once a day, so many a month); nothing was recorded."""


class DuplicateReward(LoyaltyError):
    """A reward id that already exists."""

    code = "duplicate-reward"
    """Why, for the console's text (rewards.refused.<code>)."""


class BadReward(BadOrderInput):
    """A reward the mall will not store or change so; ``code`` names why and ``params`` fill its text (the console's
    rewards.refused.<code>). The API's problem stays bad-order-input with the same detail and carries the code in
    ``errors``, as a refused campaign's does."""

    def __init__(self, code: str, detail: str, **params: object):
        super().__init__(detail)
        self.code = code
        self.params = params
        self.problems = [("reward", code)]


class BadIdempotencyKey(LoyaltyError):
    """A checkout without an Idempotency-Key header, or with one that is not 1-200 visible ASCII characters."""


class UnknownDeliveryOption(LoyaltyError):
    """A delivery option the shop does not offer."""


class UnknownPickupPoint(LoyaltyError):
    """A pickup point the shop of the order's currency does not have."""


class UnknownAddress(LoyaltyError):
    """An address id that is not in the caller's own address book (another shopper's is unknown too)."""


class UnknownPaymentMethod(LoyaltyError):
    """A payment method the shop does not take (no provider installed for it)."""


class PaymentDeclined(LoyaltyError):
    """The payment provider refused the payment; nothing was ordered or charged. ``code`` says why."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code
        self.problems = [("payment", code)]


class ReturnRefused(LoyaltyError, PermanentError):
    """A return the rules refuse (not delivered, window closed, line returned already, ...); ``code`` names why.

    In the ``returns.request`` mutation it is the permanent error the sync engine records as it is."""


class UnknownReturn(LoyaltyError):
    """No return with that id."""


class BadReturnMove(LoyaltyError):
    """A return status change its life cycle does not allow (requested → approved → received → refunded, or rejected)."""
