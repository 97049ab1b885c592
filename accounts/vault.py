"""Encryption at rest: AES-GCM under versioned data keys kept outside the database, and keyed blind indexes.

A sealed value is ``~<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>``: the id of the key that sealed it travels
with it, so several keys can be readable at once while `lastmile keys rotate` moves every value to the
newest. The value's kind ("email", "totp", "pref", ...) is the AES-GCM associated data, so a ciphertext
copied into another kind of field does not open. ``~`` never starts JSON text, which lets JSON columns mix
sealed and plain values (docs/architecture.md, Privacy).

Keys are installed once at start-up from server settings (``install``); nothing here runs on import.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_FILE = "data-keys"
KEY_BYTES = 32
NONCE_BYTES = 12
MARK = "~"
_KID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+=*$")


class VaultError(Exception):
    """A sealed value that does not open (unknown key id, damaged, or sealed as another kind)."""


class KeyringError(ValueError):
    """Data keys that cannot be used; the message never contains key material."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not _B64URL.match(text):
        raise ValueError("not base64url")
    stripped = text.rstrip("=")
    return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=b"lastmile " + purpose).derive(secret)


@dataclass(frozen=True)
class DataKey:
    """One versioned data key; the sealing and index keys are derived from it (HKDF), never stored."""

    kid: str
    secret: bytes = field(repr=False)
    aead: AESGCM = field(init=False, repr=False, compare=False)
    index_key: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _KID.match(self.kid):
            raise KeyringError("a data key id is 1 to 16 letters, digits, '-' or '_'")
        if len(self.secret) != KEY_BYTES:
            raise KeyringError(f"data key {self.kid} must be {KEY_BYTES} bytes (base64url)")
        object.__setattr__(self, "aead", AESGCM(_derive(self.secret, b"seal v1")))
        object.__setattr__(self, "index_key", _derive(self.secret, b"blind index v1"))


@dataclass(frozen=True)
class Keyring:
    """Readable keys, the first one current (new values are sealed with it)."""

    keys: tuple[DataKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyringError("at least one data key is needed")
        kids = [k.kid for k in self.keys]
        if len(set(kids)) != len(kids):
            raise KeyringError("data key ids must be distinct")

    @property
    def current(self) -> DataKey:
        """The key new values are sealed with."""
        return self.keys[0]

    def get(self, kid: str) -> DataKey | None:
        """The key with this id, if readable."""
        return next((k for k in self.keys if k.kid == kid), None)

    def text(self) -> str:
        """The keyring in the LASTMILE_DATA_KEYS / key-file format (secret: write it only to 0600 files)."""
        return "".join(f"{k.kid}:{_b64(k.secret)}\n" for k in self.keys)


def parse_keys(text: str) -> Keyring:
    """``kid:base64url-32-bytes`` entries separated by commas or new lines, the current key first."""
    keys = []
    for entry in re.split(r"[,\n]", text):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        kid, sep, encoded = entry.partition(":")
        if not sep:
            raise KeyringError("each data key is written kid:base64url-key")
        try:
            secret = _unb64(encoded.strip())
        except ValueError:
            raise KeyringError(f"data key {kid.strip()[:16]!r} is not base64url") from None
        keys.append(DataKey(kid.strip(), secret))
    return Keyring(tuple(keys))


def new_key(kid: str) -> DataKey:
    """A fresh random data key."""
    return DataKey(kid, secrets.token_bytes(KEY_BYTES))


def next_kid(keyring: Keyring) -> str:
    """An id for the next key: one above the highest numeric id (``k1``, ``k2``, ...)."""
    numbers = [int(k.kid[1:]) for k in keyring.keys if re.fullmatch(r"k[0-9]{1,9}", k.kid)]
    return f"k{max(numbers, default=0) + 1}"


def write_key_file(path: Path, keyring: Keyring) -> None:
    """Replace the key file atomically, mode 0600 from the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(keyring.text())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def create_private_file(path: Path, data: bytes) -> bool:
    """Write ``data`` to a new file only its owner may read (0600 from the start); False when another process
    made the file first (then use theirs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return True


def load_keyring(data_dir: Path, configured: str | None = None) -> Keyring:
    """The configured keys (LASTMILE_DATA_KEYS), else ``data_dir/data-keys``, made once (0600) when missing."""
    if configured:
        return parse_keys(configured)
    path = data_dir / KEY_FILE
    if not path.exists():
        keyring = Keyring((new_key("k1"),))
        if create_private_file(path, keyring.text().encode()):
            return keyring
    return parse_keys(path.read_text())


# --- the installed keyring ------------------------------------------------------------------------

_lock = threading.Lock()
_keyring: Keyring | None = None
_reload: Callable[[], Keyring] | None = None


def install(keyring: Keyring, reload: Callable[[], Keyring] | None = None) -> None:
    """Make ``keyring`` the one every seal/unseal uses; ``reload`` re-reads it when an unknown key id turns up

    (a key file `lastmile keys rotate` extended while this process ran).
    """
    global _keyring, _reload
    with _lock:
        _keyring, _reload = keyring, reload


def installed() -> Keyring:
    """The installed keyring; VaultError before start-up installed one."""
    keyring = _keyring
    if keyring is None:
        raise VaultError("no data keys installed (the app factory and the CLI install them at start-up)")
    return keyring


def _key_for(kid: str) -> DataKey:
    global _keyring
    key = installed().get(kid)
    if key is None and _reload is not None:
        with _lock:
            fresh = _reload()
            key = fresh.get(kid)
            if key is not None:
                _keyring = fresh  # the rotated file: its newest key becomes current here too
    if key is None:
        raise VaultError(f"sealed with data key {kid!r}, which is not among the readable keys")
    return key


def _aad(kind: str) -> bytes:
    return f"lastmile:{kind}".encode()


def is_sealed(value: object) -> bool:
    """True for a sealed value (str or its bytes)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value[:1]) == MARK.encode()
    return isinstance(value, str) and value.startswith(MARK)


def key_id(token: str | bytes) -> str:
    """The id of the key that sealed ``token``."""
    text = token.decode("ascii") if isinstance(token, (bytes, bytearray, memoryview)) else token
    if not is_sealed(text) or "." not in text:
        raise VaultError("not a sealed value")
    return text[1:].split(".", 1)[0]


def seal(kind: str, plaintext: str | bytes) -> str:
    """``plaintext`` encrypted under the current key, bound to ``kind``."""
    key = installed().current
    data = plaintext.encode() if isinstance(plaintext, str) else bytes(plaintext)
    nonce = os.urandom(NONCE_BYTES)
    return f"{MARK}{key.kid}.{_b64(nonce + key.aead.encrypt(nonce, data, _aad(kind)))}"


def unseal(kind: str, token: str | bytes) -> bytes:
    """The plaintext of a value sealed as ``kind``; VaultError when it does not open."""
    text = bytes(token).decode("ascii", "replace") if isinstance(token, (bytes, bytearray, memoryview)) else token
    kid = key_id(text)
    key = _key_for(kid)
    try:
        raw = _unb64(text[1 + len(kid) + 1:])
        return key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(kind))
    except (ValueError, InvalidTag):
        raise VaultError(f"a sealed {kind} value does not open") from None


def unseal_text(kind: str, token: str | bytes) -> str:
    """``unseal`` decoded as UTF-8."""
    return unseal(kind, token).decode()


def open_or_plain(kind: str, value: str | None) -> str | None:
    """A sealed value's text, or the value itself when it was stored before sealing (migrations, tests)."""
    if value is None or not is_sealed(value):
        return value
    return unseal_text(kind, value)


def reseal(kind: str, token: str | bytes) -> str:
    """The same plaintext sealed again under the current key (rotation)."""
    return seal(kind, unseal(kind, token))


def _index(key: DataKey, kind: str, value: str) -> str:
    mac = hmac.new(key.index_key, f"{kind}\x00{value}".encode(), sha256).hexdigest()
    return f"{key.kid}.{mac}"


def blind_index(kind: str, value: str) -> str:
    """A keyed hash of ``value`` under the current key: equal values match, the value cannot be read back."""
    return _index(installed().current, kind, value)


def blind_indexes(kind: str, value: str) -> list[str]:
    """The blind index of ``value`` under every readable key, current first (lookups during a rotation)."""
    return [_index(key, kind, value) for key in installed().keys]


def index_key_id(index: str) -> str:
    """The id of the key a blind index was made with."""
    return index.split(".", 1)[0]
