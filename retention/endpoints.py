"""The SSRF guard: a push endpoint must be https on an allowlisted push service host (or a test origin)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Callable, Iterable
from urllib.parse import urlsplit

from .errors import ForbiddenEndpoint

MAX_ENDPOINT_LENGTH = 2048


def _origin(scheme: str, host: str, port: int | None) -> str:
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def normalise_origin(origin: str) -> str:
    """`scheme://host[:port]` lower-cased with the default port dropped (to compare test origins)."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"not an origin: {origin!r}")
    return _origin(parts.scheme, parts.hostname.lower(), parts.port)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        # Shapes that some resolvers still read as IPv4 (2130706433, 0x7f.1, 127.1).
        return all(part.isdigit() or part.lower().startswith("0x") for part in host.split(".") if part)


def host_allowed(host: str, services: Iterable[str]) -> bool:
    """True when ``host`` is one of the services or under a `*.` wildcard one (at least one extra label)."""
    for pattern in services:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            suffix = pattern[1:]
            label = host[: -len(suffix)]
            if host.endswith(suffix) and label and all(label.split(".")):
                return True
        elif host == pattern:
            return True
    return False


def check_endpoint(endpoint: object, services: Iterable[str], test_origins: Iterable[str] = ()) -> str:
    """The endpoint if it is safe to POST to; ForbiddenEndpoint saying why otherwise."""
    if not isinstance(endpoint, str) or not endpoint:
        raise ForbiddenEndpoint("the push endpoint must be a URL")
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise ForbiddenEndpoint(f"the push endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    if any(ord(c) <= 32 or ord(c) == 127 or c == "\\" for c in endpoint):
        raise ForbiddenEndpoint("the push endpoint holds spaces, control characters or backslashes")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise ForbiddenEndpoint("the push endpoint is not a well-formed URL") from None
    host = (parts.hostname or "").lower()
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        raise ForbiddenEndpoint("the push endpoint must not carry user information")
    if not host:
        raise ForbiddenEndpoint("the push endpoint has no host")
    if parts.fragment:
        raise ForbiddenEndpoint("the push endpoint must not carry a fragment")
    test = {normalise_origin(o) for o in test_origins}
    if parts.scheme in ("http", "https") and _origin(parts.scheme, host, port) in test:
        return endpoint
    if parts.scheme != "https":
        raise ForbiddenEndpoint("the push endpoint must use https")
    if _is_ip_literal(host):
        raise ForbiddenEndpoint("the push endpoint must name a push service host, not an IP address")
    if port not in (None, 443):
        raise ForbiddenEndpoint("the push endpoint must use the https port 443")
    if host.endswith(".") or ".." in host:
        raise ForbiddenEndpoint("the push endpoint host is malformed")
    if not host_allowed(host, services):
        raise ForbiddenEndpoint("the push endpoint is not on a known push service")
    return endpoint


def address_is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, reserved...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def check_resolves_public(endpoint: str, test_origins: Iterable[str] = (), resolver: Resolver = resolve) -> None:
    """Just before sending: an allowlisted host must still resolve only to public addresses (DNS rebinding)."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if _origin(parts.scheme, host, parts.port) in {normalise_origin(o) for o in test_origins}:
        return
    try:
        addresses = resolver(host, parts.port or 443)
    except OSError:
        raise ForbiddenEndpoint("the push service host does not resolve") from None
    if not addresses or not all(address_is_public(a) for a in addresses):
        raise ForbiddenEndpoint("the push service host resolves to a non-public address")
