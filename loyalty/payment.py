"""Payment at checkout through a provider interface, with a built-in test card provider and cash on delivery.

A provider takes an opaque token that the provider's own client-side code made (never a card number: the shop
never sees, stores or logs card data) and answers approved or declined. Checkout calls ``charge`` as the last
step of its write transaction, after stock and coupons are settled, so a decline rolls everything back: no
order, no stock taken, the cart and the Idempotency-Key untouched. ``charge`` receives an idempotency key
(shopper + Idempotency-Key), so a retried checkout never charges twice at the provider.

The built-in providers answer in-process and at once. A provider behind a network would authorize before the
transaction and capture (or void) after it, so that no database lock is held across the call; its ``charge``
here would then confirm an authorization made earlier (docs/loyalty.md, Checkout).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal, Mapping, Protocol

from .errors import BadOrderInput, PaymentDeclined, UnknownPaymentMethod

Method = Literal["card", "cod"]


@dataclass(frozen=True)
class PaymentRequest:
    """What a provider is asked to charge: the amount of the order being placed."""

    user_id: int
    amount: int
    currency: str
    token: str | None
    idempotency_key: str


@dataclass(frozen=True)
class PaymentResult:
    """A provider's answer. ``paid``: the money is taken; ``due``: it is collected later (cash on delivery)."""

    outcome: Literal["paid", "due", "declined"]
    provider: str
    reference: str | None = None
    decline_code: str | None = None


class PaymentProvider(Protocol):
    """One way to pay. ``method`` is what the shopper picks (``card``, ``cod``); ``name`` is stored on the order."""

    name: str
    method: Method

    def charge(self, request: PaymentRequest) -> PaymentResult:
        """Take (or arrange) the payment; deterministic for the same idempotency key."""
        ...


TEST_TOKENS: dict[str, str | None] = {
    "tok_test_approve": None,
    "tok_test_decline": "card_declined",
    "tok_test_insufficient_funds": "insufficient_funds",
    "tok_test_expired": "expired_card",
}
"""The test provider's tokens: None approves, anything else is the decline code; an unknown token declines."""


class CardTestProvider:
    """A card provider for tests and the demo: the outcome is decided by the token alone."""

    name = "test"
    method: Method = "card"

    def charge(self, request: PaymentRequest) -> PaymentResult:
        """Approve ``tok_test_approve``; decline the others with their code (``token_not_recognised`` if unknown)."""
        if request.token not in TEST_TOKENS:
            return PaymentResult("declined", self.name, decline_code="token_not_recognised")
        code = TEST_TOKENS[request.token]
        if code is not None:
            return PaymentResult("declined", self.name, decline_code=code)
        # The same key and amount give the same reference: a retried charge is the same charge.
        digest = hashlib.sha256(f"{request.idempotency_key}\0{request.amount}\0{request.currency}".encode()).hexdigest()
        return PaymentResult("paid", self.name, reference=f"test_{digest[:24]}")


class CashOnDelivery:
    """Cash collected by the courier: nothing is charged now, the order waits for the cash."""

    name = "cod"
    method: Method = "cod"

    def charge(self, request: PaymentRequest) -> PaymentResult:
        """Nothing to take now: the payment is due on delivery."""
        return PaymentResult("due", self.name)


PAYMENT_PROVIDERS: tuple[PaymentProvider, ...] = (CardTestProvider(), CashOnDelivery())
"""The built-in providers (server/wiring.py installs them; a real card provider would replace the test one)."""


def by_method(providers: tuple[PaymentProvider, ...] | Mapping[str, PaymentProvider]) -> dict[str, PaymentProvider]:
    """Providers keyed by the method they serve (the first one wins)."""
    items = providers.values() if isinstance(providers, Mapping) else providers
    found: dict[str, PaymentProvider] = {}
    for provider in items:
        found.setdefault(provider.method, provider)
    return found


def charge(providers: Mapping[str, PaymentProvider], method: str, token: str | None, request: PaymentRequest) -> PaymentResult:
    """Charge through the provider of ``method``; PaymentDeclined for a refusal (the transaction then rolls back)."""
    provider = providers.get(method)
    if provider is None:
        raise UnknownPaymentMethod(f"payment by {method} is not offered; choose one of {', '.join(sorted(providers))}")
    if method == "card" and not token:
        raise BadOrderInput("card payment needs the provider's token (payment.token)")
    if method != "card" and token:
        raise BadOrderInput(f"payment by {method} takes no token")
    result = provider.charge(request)
    if result.outcome == "declined":
        raise PaymentDeclined(f"the payment was declined ({result.decline_code}); nothing was ordered or charged",
                              result.decline_code or "declined")
    return result
