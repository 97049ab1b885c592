"""The SSRF guard: only https endpoints on allowlisted push services, plus explicit test origins."""

from __future__ import annotations

import pytest

from retention.endpoints import (
    address_is_public,
    check_endpoint,
    check_resolves_public,
    host_allowed,
)
from retention.errors import ForbiddenEndpoint

SERVICES = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com", "*.notify.windows.com")


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGx1c3Q",
        "https://wns2-by3p.notify.windows.com/w/?token=BQYAAA",
        "https://FCM.googleapis.com:443/fcm/send/x",
    ],
)
def test_known_push_services_are_accepted(endpoint):
    assert endpoint == check_endpoint(endpoint, SERVICES)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # plain http
        "https://127.0.0.1/push",  # loopback
        "https://localhost/push",
        "https://10.0.0.5/push",  # private ranges
        "https://192.168.1.1/push",
        "https://172.16.0.1/push",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/push",  # IPv6 literals
        "https://[fd00::1]/push",
        "https://[::ffff:127.0.0.1]/push",
        "https://2130706433/push",  # 127.0.0.1 as a number
        "https://0x7f.1/push",
        "https://evil.example/push",  # not a push service
        "https://fcm.googleapis.com.evil.example/push",
        "https://evilfcm.googleapis.com/push",
        "https://notify.windows.com/push",  # the wildcard needs a label
        "https://user:pw@fcm.googleapis.com/push",  # userinfo
        "https://fcm.googleapis.com@10.0.0.1/push",
        "https://fcm.googleapis.com:8443/push",  # odd port
        "https://fcm.googleapis.com./push",  # trailing dot
        "https://fcm.googleapis.com/push#frag",
        "https://fcm.googleapis.com/a b",
        "https:\\\\fcm.googleapis.com/push",
        "file:///etc/passwd",
        "gopher://fcm.googleapis.com/",
        "",
        "https://fcm.googleapis.com/" + "a" * 3000,
    ],
)
def test_everything_else_is_refused(endpoint):
    with pytest.raises(ForbiddenEndpoint):
        check_endpoint(endpoint, SERVICES)


def test_non_strings_are_refused():
    with pytest.raises(ForbiddenEndpoint):
        check_endpoint(None, SERVICES)


def test_test_origins_allow_http_and_loopback_for_that_exact_origin():
    origins = ("http://127.0.0.1:8765",)
    assert "http://127.0.0.1:8765/push/x" == check_endpoint("http://127.0.0.1:8765/push/x", SERVICES, origins)


@pytest.mark.parametrize("other", ["http://127.0.0.1:8766/push/x", "https://127.0.0.1:8765/push/x", "http://127.0.0.2:8765/push/x"])
def test_test_origins_allow_no_other_origin(other):
    with pytest.raises(ForbiddenEndpoint):
        check_endpoint(other, SERVICES, ("http://127.0.0.1:8765",))


def test_wildcards_match_only_subdomains():
    assert host_allowed("a.notify.windows.com", SERVICES)
    assert host_allowed("a.b.notify.windows.com", SERVICES)
    assert not host_allowed("anotify.windows.com", SERVICES)
    assert not host_allowed(".notify.windows.com", SERVICES)


@pytest.mark.parametrize("public", ["142.250.185.10", "2a00:1450:4001:82b::200a"])
def test_public_addresses_are_public(public):
    assert address_is_public(public)


@pytest.mark.parametrize("private", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "::1", "fd00::1", "::ffff:10.0.0.1", "0.0.0.0", "100.64.0.1"])
def test_inside_addresses_are_not_public(private):
    assert not address_is_public(private), private


def test_dns_answers_pointing_inside_are_refused_at_send_time():
    check_resolves_public("https://fcm.googleapis.com/x", resolver=lambda host, port: ["142.250.185.10"])
    with pytest.raises(ForbiddenEndpoint):
        check_resolves_public("https://fcm.googleapis.com/x", resolver=lambda host, port: ["142.250.185.10", "10.0.0.1"])
    with pytest.raises(ForbiddenEndpoint):
        check_resolves_public("https://fcm.googleapis.com/x", resolver=lambda host, port: [])
