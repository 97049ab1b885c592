"""Pure pieces of accounts and sync: email normalisation, TOTP steps, LWW order, tokens, the poke broker."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts import totp
from accounts.emails import normalise_email
from accounts.errors import BadAccountInput
from accounts.tokens import new_token, token_hash
from sync.poke import Broker
from sync.prefs import wins


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  Ana@Example.COM ", "ana@example.com"),
        ("ANA.LOPEZ+Shop@example.com", "ana.lopez+shop@example.com"),
        ("ana@example.com.", "ana@example.com"),
        ("Straße@Example.de", "strasse@example.de"),
        ("ｆｕｌｌ@example.com", "full@example.com"),
    ],
)
def test_emails_are_normalised(raw, expected):
    assert expected == normalise_email(raw)


@pytest.mark.parametrize("raw", ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "ana@@example.com", "x" * 65 + "@example.com", "ana@exa_mple.com"])
def test_bad_emails_are_refused(raw):
    with pytest.raises(BadAccountInput):
        normalise_email(raw)


def test_tokens_are_random_and_hashed():
    a, b = new_token(), new_token()
    assert a != b and 43 == len(a)
    assert 64 == len(token_hash(a)) and token_hash(a) == token_hash(a) != token_hash(b)


def test_totp_matches_the_rfc_6238_vector_and_the_window():
    secret = b"12345678901234567890"  # RFC 6238 appendix B, SHA-1, 8 digits 94287082 at t=59 -> 6 digits 287082
    assert "287082" == totp.code_at(secret, 59)
    assert 1 == totp.matching_step(secret, "287082", 59)
    assert 1 == totp.matching_step(secret, "287082", 59 + 30)  # one step later still accepted
    assert totp.matching_step(secret, "287082", 59 + 60) is None
    assert totp.matching_step(secret, "000000", 59) is None


def test_lww_order_is_at_then_client_id():
    assert wins((2, "a"), (1, "z"))
    assert not wins((1, "z"), (2, "a"))
    assert wins((5, "b"), (5, "a"))
    assert not wins((5, "a"), (5, "b"))
    assert wins((5, "a"), None)


def test_broker_wakes_only_that_users_streams_from_another_thread():
    async def scenario():
        broker = Broker()
        ana, bob = broker.subscribe(1), broker.subscribe(2)
        await asyncio.to_thread(broker.notify, 1)
        woke_ana = await ana.wait(1)
        woke_bob = await bob.wait(0.05)
        broker.unsubscribe(ana)
        broker.unsubscribe(bob)
        return woke_ana, woke_bob, broker.count(1)

    # In a thread of its own: Playwright's sync API may hold an event loop in the main thread.
    with ThreadPoolExecutor(1) as pool:
        assert (True, False, 0) == pool.submit(lambda: asyncio.run(scenario())).result()
