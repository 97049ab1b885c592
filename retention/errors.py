"""Errors of the retention room; server/http/problems.py maps each to a problem-details status once."""

from __future__ import annotations


class RetentionError(Exception):
    """Base of every retention error."""


class BadSubscription(RetentionError):
    """A push subscription whose keys or endpoint cannot be used."""


class ForbiddenEndpoint(BadSubscription):
    """A push endpoint outside the allowlist of push services (the SSRF guard)."""


class EndpointTaken(BadSubscription):
    """A push endpoint already registered with other keys: only the browser that made it holds its keys."""


class BadTimeZone(RetentionError):
    """A time zone that is not an IANA zone name zoneinfo knows."""


class UnknownSubscription(RetentionError):
    """No such push subscription for this shopper."""


class UnknownMessage(RetentionError):
    """No such notification for this shopper."""


class BadEvent(RetentionError):
    """A tracking event that cannot be recorded."""


class BadTemplate(RetentionError):
    """A notification template with unknown placeholders, bad lengths or an off-site URL."""


class PayloadTooLarge(RetentionError):
    """A rendered notification larger than the push payload limit."""


class BadOffer(RetentionError):
    """An offer definition that cannot be stored."""


class UnknownOffer(RetentionError):
    """No such offer."""


class UnknownTemplate(RetentionError):
    """No such template."""


class BadCampaign(RetentionError):
    """A campaign definition that cannot be stored; ``code`` names why and ``params`` fill its text (the console's)."""

    def __init__(self, code: str, detail: str, **params: object):
        super().__init__(detail)
        self.code = code
        self.params = params
        self.problems = [("campaign", code)]  # the API's problem carries the code as PaymentDeclined's does


class UnknownCampaign(RetentionError):
    """No such campaign."""


class CouponRejected(RetentionError):
    """A coupon code that cannot be used on this order (unknown, expired, not granted, budget spent, used)."""


class UnknownShopper(RetentionError):
    """No such shopper."""
