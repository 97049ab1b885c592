"""Start-up of the vault: the data keys from settings (or the 0600 key file) installed once per process."""

from __future__ import annotations

from accounts import vault
from server.settings import Settings


def install_data_keys(settings: Settings) -> vault.Keyring:
    """Load the data keys these settings name and install them for every seal/unseal in this process."""
    keyring = vault.load_keyring(settings.data_dir, settings.data_keys)
    # Keys from the file are re-read when a value names a key this process has not seen (a rotation ran).
    reload = None if settings.data_keys else (lambda: vault.load_keyring(settings.data_dir))
    vault.install(keyring, reload)
    return keyring
