"""Masking: emails for operators, and the log filter that redacts emails and URLs that slip into messages."""

from __future__ import annotations

import logging

import pytest

from accounts.masking import RedactingFilter, mask_email, mask_ip, mask_phone, mask_text, redact


@pytest.mark.parametrize(
    "email, masked",
    [
        ("peter@example.com", "p***@example.com"),
        ("p@example.com", "p***@example.com"),
        ("ana.lopez+shop@mail.example.org", "a***@mail.example.org"),
        ("not-an-email", "***"),
        ("@example.com", "***"),
    ],
)
def test_emails_are_masked_to_first_letter_and_domain(email, masked):
    assert masked == mask_email(email)


def test_redact_masks_emails_and_cuts_urls_to_their_origin():
    text = "mail Peter.Pan@Example.com about https://fcm.googleapis.com/fcm/send/abc123?x=1 today"
    assert "mail P***@Example.com about https://fcm.googleapis.com/… today" == redact(text)


def test_the_filter_rewrites_records_that_carry_personal_data():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "login by %s", ("ana@example.com",), None)
    assert RedactingFilter().filter(record)
    assert "login by a***@example.com" == record.getMessage()
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "order %s", (7,), None)
    RedactingFilter().filter(plain)
    assert ("order %s", (7,)) == (plain.msg, plain.args)


@pytest.mark.parametrize("address, masked", [
    ("203.0.113.77", "203.0.113.*"), ("2001:db8:85a3:1:2::9", "2001:db8:85a3::*"), ("::1", "::*"),
    ("testclient", "***"), ("", ""),
])
def test_an_ip_address_is_cut_to_its_network(address, masked):
    assert masked == mask_ip(address)


@pytest.mark.parametrize("function, value, masked", [
    (mask_text, "Ana Lima", "A***"), (mask_text, "", ""),
    (mask_phone, "+351 21 000 0034", "***34"), (mask_phone, "", ""),
])
def test_names_streets_and_phones_keep_a_hint_only(function, value, masked):
    assert masked == function(value)
