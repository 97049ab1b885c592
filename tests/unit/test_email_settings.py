"""LASTMILE_SMTP_URL, LASTMILE_EMAIL_FROM and LASTMILE_PUBLIC_URL: validated like every setting, the password never shown."""

import pytest

from retention.email_delivery import target_of
from server.settings import SettingsError, load_settings

SECRET = "s3cr3t-pa55"


@pytest.mark.parametrize("url, host, port, tls, user", [
    (f"smtp://mailer:{SECRET}@mail.example.com:587", "mail.example.com", 587, False, "mailer"),
    (f"smtps://mailer:{SECRET}@mail.example.com", "mail.example.com", 465, True, "mailer"),
    ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, False, None),
    ("smtp://relay.internal", "relay.internal", 25, False, None),
])
def test_smtp_urls_that_work(url, host, port, tls, user):
    settings = load_settings({"LASTMILE_SMTP_URL": url})
    assert url == settings.smtp_url
    target = target_of(settings.smtp_url)
    assert (host, port, tls, user) == (target.host, target.port, target.tls, target.user)
    assert SECRET not in repr(settings) and SECRET not in repr(target)


def test_the_email_channel_is_off_by_default():
    settings = load_settings({})
    assert (None, "http://127.0.0.1:8000") == (settings.smtp_url, settings.public_url)


@pytest.mark.parametrize("url", [
    f"http://mailer:{SECRET}@mail.example.com",
    f"smtp://mailer:{SECRET}@:587",
    f"smtp://mailer:{SECRET}@mail.example.com:99999",
    f"smtp://mailer:{SECRET}@mail.example.com:port",
    f"smtp://mailer:{SECRET}@mail.example.com/path",
    f"smtp://mailer:{SECRET}@mail.example.com?x=1",
    f"smtp://:{SECRET}@mail.example.com",
    f"smtp://mailer:{SECRET} @mail.example.com",
])
def test_a_bad_smtp_url_is_named_without_its_password(url):
    with pytest.raises(SettingsError) as info:
        load_settings({"LASTMILE_SMTP_URL": url})
    assert "LASTMILE_SMTP_URL" in str(info.value)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("name, value", [
    ("LASTMILE_EMAIL_FROM", "no address"), ("LASTMILE_EMAIL_FROM", "a@b\r\nBcc: x@y"),
    ("LASTMILE_PUBLIC_URL", "shop.example.com"), ("LASTMILE_PUBLIC_URL", "https://shop.example.com/path"),
])
def test_bad_sender_or_origin_is_named(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
