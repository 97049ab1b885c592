"""Validating a browser's PushSubscription: P-256 key, 16-byte auth secret, allowlisted endpoint."""

from __future__ import annotations

from typing import Iterable

from cryptography.hazmat.primitives.asymmetric import ec

from .endpoints import check_endpoint
from . import zones
from .errors import BadSubscription, BadTimeZone
from .models import NewSubscription
from .vapid_keys import b64url_decode


def check_p256dh(text: str) -> bytes:
    """The raw key if it is an uncompressed point on P-256."""
    try:
        raw = b64url_decode(text)
    except ValueError:
        raise BadSubscription("keys.p256dh must be base64url") from None
    if len(raw) != 65 or raw[0] != 4:
        raise BadSubscription("keys.p256dh must be an uncompressed P-256 point (65 bytes starting 0x04)")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise BadSubscription("keys.p256dh is not a point on P-256") from None
    return raw


def check_auth(text: str) -> bytes:
    """The raw auth secret if it is 16 bytes."""
    try:
        raw = b64url_decode(text)
    except ValueError:
        raise BadSubscription("keys.auth must be base64url") from None
    if len(raw) != 16:
        raise BadSubscription("keys.auth must be 16 bytes")
    return raw


def check_time_zone(name: str | None) -> str | None:
    """An IANA zone name zoneinfo knows, or None."""
    if name is None:
        return None
    try:
        return zones.check_time_zone(name)
    except BadTimeZone as exc:
        raise BadSubscription(str(exc)) from None


def check_locale(tag: str | None) -> str | None:
    """A BCP 47-ish language tag (letters, digits, hyphens), or None."""
    if tag is None:
        return None
    if not 2 <= len(tag) <= 35 or not all(c.isalnum() or c == "-" for c in tag) or not tag[0].isalpha():
        raise BadSubscription("locale must be a language tag such as de-AT")
    return tag


def same_keys(row: dict, sub: NewSubscription) -> bool:
    """Whether a stored subscription (keys opened) holds the keys of ``sub`` (compared as bytes)."""
    return (b64url_decode(row["p256dh"]), b64url_decode(row["auth"])) == (
        b64url_decode(sub.keys.p256dh), b64url_decode(sub.keys.auth))


def validate(sub: NewSubscription, services: Iterable[str], test_origins: Iterable[str]) -> NewSubscription:
    """The subscription if every part is usable; BadSubscription (or ForbiddenEndpoint) naming the bad part."""
    if not sub.consent:
        raise BadSubscription("consent must be true: the shopper has to agree to notifications")
    check_endpoint(sub.endpoint, services, test_origins)
    check_p256dh(sub.keys.p256dh)
    check_auth(sub.keys.auth)
    check_time_zone(sub.time_zone)
    check_locale(sub.locale)
    return sub
