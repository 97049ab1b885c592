"""VAPID keys are made once and kept (0600); subscription keys must be a P-256 point and a 16-byte secret."""

from __future__ import annotations

import base64
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from retention import zones
from retention.errors import BadSubscription, BadTimeZone, ForbiddenEndpoint
from retention.models import NewSubscription, SubscriptionKeys
from retention.subscriptions import (
    check_auth,
    check_locale,
    check_p256dh,
    check_time_zone,
    validate,
)
from retention.vapid_keys import KEY_FILE, application_server_key, b64url, load_vapid

SERVICES = ("fcm.googleapis.com",)


def point() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64url(key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def test_vapid_key_is_generated_once_and_kept_private(tmp_path):
    first = load_vapid(tmp_path)
    mode = stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode)
    assert 0o600 == mode
    again = load_vapid(tmp_path)
    assert application_server_key(first) == application_server_key(again)
    raw = base64.urlsafe_b64decode(application_server_key(first) + "=")
    assert 65 == len(raw) and raw[0] == 4


def test_vapid_key_from_settings_wins(tmp_path):
    made = load_vapid(tmp_path / "a")
    der = made.private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    given = load_vapid(tmp_path / "b", b64url(der))
    assert application_server_key(made) == application_server_key(given)
    assert not (tmp_path / "b" / KEY_FILE).exists()


def test_p256dh_must_be_a_point_on_the_curve():
    assert 65 == len(check_p256dh(point()))
    padded = point() + "="
    assert 65 == len(check_p256dh(padded))


@pytest.mark.parametrize("bad", [
    "", "not base64!", b64url(b"\x04" + b"\x00" * 64), b64url(b"\x02" + b"\x01" * 32), b64url(os.urandom(65)[1:] + b"\x04"),
    b64url(b"\x04" + b"\xff" * 64),
], ids=["empty", "not-base64", "zero-point", "compressed", "no-04-prefix", "off-curve"])
def test_p256dh_off_the_curve_is_refused(bad):
    with pytest.raises(BadSubscription):
        check_p256dh(bad)


def test_auth_must_be_16_bytes():
    assert 16 == len(check_auth(b64url(os.urandom(16))))


@pytest.mark.parametrize("bad", [b64url(os.urandom(15)), b64url(os.urandom(17)), "***"], ids=["15-bytes", "17-bytes", "not-base64"])
def test_auth_of_another_length_is_refused(bad):
    with pytest.raises(BadSubscription):
        check_auth(bad)


def test_time_zone_and_locale_are_checked():
    assert "Europe/Berlin" == check_time_zone("Europe/Berlin")
    assert "de-AT" == check_locale("de-AT")


@pytest.mark.parametrize("bad", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/Berlin\x00", "localtime",
                                 "Factory", "posixrules", "posix/Asia/Shanghai", "right/UTC", "", "A" * 65, "Asia/Shanghäi"])
def test_unknown_time_zones_are_refused(bad):
    with pytest.raises(BadSubscription):
        check_time_zone(bad)
    with pytest.raises(BadTimeZone):
        zones.check_time_zone(bad)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Argentina/Ushuaia", "UTC", "Etc/GMT-8", "Asia/Calcutta"])
def test_zones_browsers_report_are_accepted(zone):
    assert zone == zones.check_time_zone(zone)


@pytest.mark.parametrize("bad", ["x", "de_AT!", "-de"])
def test_malformed_locales_are_refused(bad):
    with pytest.raises(BadSubscription):
        check_locale(bad)


def test_validate_needs_consent_and_a_known_push_service():
    keys = SubscriptionKeys(p256dh=point(), auth=b64url(os.urandom(16)))
    good = NewSubscription(endpoint="https://fcm.googleapis.com/fcm/send/x", keys=keys, consent=True)
    assert good == validate(good, SERVICES, ())
    with pytest.raises(BadSubscription):
        validate(NewSubscription(endpoint=good.endpoint, keys=keys, consent=False), SERVICES, ())
    with pytest.raises(ForbiddenEndpoint):
        validate(NewSubscription(endpoint="https://10.0.0.1/x", keys=keys, consent=True), SERVICES, ())
