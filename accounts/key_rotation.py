"""Key rotation: a new current key in the key file, every sealed value moved to it, old keys retired after."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from . import sealed_store, vault
from .sealed_store import SealedColumn

BATCH = 500


def add_file_key(data_dir: Path) -> vault.Keyring:
    """Put a fresh key first in ``data_dir/data-keys`` (older keys stay readable) and install it; the new ring."""
    path = data_dir / vault.KEY_FILE
    old = vault.load_keyring(data_dir)
    keyring = vault.Keyring((vault.new_key(vault.next_kid(old)), *old.keys))
    vault.write_key_file(path, keyring)
    vault.install(keyring, lambda: vault.load_keyring(data_dir))
    return keyring


def stale_counts(database: Any, specs: tuple[SealedColumn, ...]) -> dict[str, int]:
    """Per ``table.column``: rows not yet sealed (and indexed) under the current key."""
    db = database.read()
    return {f"{s.table}.{s.column}": sealed_store.count_stale(db, s) for s in specs}


def reseal_everything(database: Any, specs: tuple[SealedColumn, ...], progress: Callable[[int], None] = lambda n: None,
                      batch: int = BATCH) -> int:
    """Re-seal every stale row under the current key, ``batch`` rows a transaction; how many rows.

    Passes repeat while they make progress, so rows other processes wrote meanwhile under an old key
    (before they re-read the key file) are picked up too.
    """
    total = 0
    while True:
        moved = 0
        for spec in specs:
            while True:
                with database.write() as db:
                    n = sealed_store.reseal_batch(db, spec, batch)
                if not n:
                    break
                moved += n
                progress(n)
        total += moved
        if not moved:
            return total


def retire_old_keys(database: Any, data_dir: Path, specs: tuple[SealedColumn, ...]) -> list[str]:
    """Drop every key but the current one from the key file once no value needs them; the ids dropped.

    Raises VaultError when some value is still sealed (or indexed) under an older key.
    """
    left = {name: n for name, n in stale_counts(database, specs).items() if n}
    if left:
        raise vault.VaultError(f"values still need older keys: {left}; run `lastmile keys rotate` first")
    keyring = vault.load_keyring(data_dir)
    dropped = [k.kid for k in keyring.keys[1:]]
    if dropped:
        current = vault.Keyring((keyring.current,))
        vault.write_key_file(data_dir / vault.KEY_FILE, current)
        vault.install(current, lambda: vault.load_keyring(data_dir))
    return dropped
