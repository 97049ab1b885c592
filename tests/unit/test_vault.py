"""The vault: sealing, kinds as associated data, key ids beside ciphertexts, blind indexes, key files."""

from __future__ import annotations

import stat

import pytest

from accounts import vault
from server.settings import SettingsError, load_settings

KEY_A = "k1:" + "A" * 43  # 32 zero bytes, base64url without padding
KEY_B = "k2:" + "_w" * 21 + "8"


@pytest.fixture
def keys():
    """Install a two-key ring (k2 current) for the test, and put back whatever was installed before."""
    before = (vault._keyring, vault._reload)
    vault.install(vault.parse_keys(f"{KEY_B},{KEY_A}"))
    yield vault.installed()
    vault.install(*before)


def test_sealed_values_open_and_name_their_key(keys):
    token = vault.seal("email", "ana@example.com")
    assert token.startswith("~k2.") and "ana" not in token
    assert "k2" == vault.key_id(token)
    assert "ana@example.com" == vault.unseal_text("email", token)
    assert b"\x00\xff" == vault.unseal("totp", vault.seal("totp", b"\x00\xff"))


def test_the_same_value_seals_differently_each_time(keys):
    assert vault.seal("email", "ana@example.com") != vault.seal("email", "ana@example.com")


def test_a_value_sealed_as_one_kind_does_not_open_as_another(keys):
    with pytest.raises(vault.VaultError):
        vault.unseal("pref", vault.seal("email", "ana@example.com"))


def test_a_tampered_value_does_not_open(keys):
    token = vault.seal("email", "ana@example.com")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(vault.VaultError):
        vault.unseal("email", flipped)


def test_old_keys_stay_readable_and_reseal_moves_to_the_current_one(keys):
    vault.install(vault.parse_keys(KEY_A))
    old = vault.seal("email", "ana@example.com")
    vault.install(vault.parse_keys(f"{KEY_B},{KEY_A}"))
    assert "ana@example.com" == vault.unseal_text("email", old)
    fresh = vault.reseal("email", old)
    assert ("k1", "k2") == (vault.key_id(old), vault.key_id(fresh))
    vault.install(vault.parse_keys(KEY_B))
    assert "ana@example.com" == vault.unseal_text("email", fresh)
    with pytest.raises(vault.VaultError, match="k1"):
        vault.unseal("email", old)


def test_an_unknown_key_id_reloads_the_key_file_once(keys, tmp_path):
    vault.install(vault.parse_keys(KEY_B))
    token = vault.seal("email", "ana@example.com")  # by a process that already has the rotated file
    path = tmp_path / vault.KEY_FILE
    vault.write_key_file(path, vault.parse_keys(KEY_A))
    vault.install(vault.load_keyring(tmp_path), lambda: vault.load_keyring(tmp_path))
    vault.write_key_file(path, vault.parse_keys(f"{KEY_B},{KEY_A}"))  # as `lastmile keys rotate` does
    assert "ana@example.com" == vault.unseal_text("email", token)
    assert "k2" == vault.installed().current.kid
    assert 0o600 == stat.S_IMODE(path.stat().st_mode)


def test_blind_indexes_match_equal_values_only_and_cover_every_key(keys):
    a = vault.blind_index("email", "ana@example.com")
    assert a == vault.blind_index("email", "ana@example.com")
    assert a != vault.blind_index("email", "bob@example.com")
    assert a != vault.blind_index("endpoint", "ana@example.com")
    assert "ana" not in a and a.startswith("k2.")
    assert [a, vault.blind_indexes("email", "ana@example.com")[1]] == vault.blind_indexes("email", "ana@example.com")
    assert ["k2", "k1"] == [vault.index_key_id(i) for i in vault.blind_indexes("email", "ana@example.com")]


def test_open_or_plain_passes_values_stored_before_sealing(keys):
    assert "ana@example.com" == vault.open_or_plain("email", "ana@example.com")
    assert vault.open_or_plain("email", None) is None
    assert "x" == vault.open_or_plain("email", vault.seal("email", "x"))


def test_nothing_seals_before_keys_are_installed(keys):
    vault.install(None)  # type: ignore[arg-type]
    with pytest.raises(vault.VaultError, match="installed"):
        vault.seal("email", "ana@example.com")


def test_the_key_file_is_made_once_and_only_for_its_owner(tmp_path):
    first = vault.load_keyring(tmp_path)
    assert 0o600 == stat.S_IMODE((tmp_path / vault.KEY_FILE).stat().st_mode)
    assert first == vault.load_keyring(tmp_path)
    assert "k1" == first.current.kid and 32 == len(first.current.secret)


def test_configured_keys_win_over_the_file(tmp_path):
    assert "k2" == vault.load_keyring(tmp_path, f"{KEY_B},{KEY_A}").current.kid
    assert not (tmp_path / vault.KEY_FILE).exists()


def test_next_key_ids_count_up():
    assert "k3" == vault.next_kid(vault.parse_keys(f"{KEY_B},{KEY_A}"))
    assert "k1" == vault.next_kid(vault.parse_keys("main:" + "A" * 43))


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "at least one"),
        ("k1", "kid:base64url"),
        ("k1:not*base64", "not base64url"),
        ("k1:" + "A" * 20, "32 bytes"),
        ("bad id!:" + "A" * 43, "key id"),
        (f"{KEY_A},{KEY_A}", "distinct"),
    ],
)
def test_bad_keys_are_refused_without_showing_them(text, message):
    with pytest.raises(vault.KeyringError, match=message) as caught:
        vault.parse_keys(text)
    assert "A" * 20 not in str(caught.value)


def test_settings_check_the_data_keys_without_echoing_them():
    assert f"{KEY_B},{KEY_A}" == load_settings({"LASTMILE_DATA_KEYS": f"{KEY_B},{KEY_A}"}).data_keys
    assert load_settings({}).data_keys is None
    with pytest.raises(SettingsError, match="LASTMILE_DATA_KEYS") as caught:
        load_settings({"LASTMILE_DATA_KEYS": "k1:" + "B" * 20})
    assert "B" * 20 not in str(caught.value)
    assert "data_keys" not in repr(load_settings({"LASTMILE_DATA_KEYS": KEY_A}))
