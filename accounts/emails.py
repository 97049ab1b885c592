"""Email normalisation: one account per mailbox however the address is typed."""

from __future__ import annotations

import re
import unicodedata

from .errors import BadAccountInput

_LOCAL = re.compile(r"^[^\s@\x00-\x1f\x7f]{1,64}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9\u00a1-\uffff]([a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z\u00a1-\uffff][a-z0-9\u00a1-\uffff-]{0,62}$")


def normalise_email(raw: str) -> str:
    """Trim, NFKC and casefold the whole address (mail providers treat local parts case-blind in practice).

    Dots and +tags are kept: they are meaningful at some providers, so folding them would merge mailboxes.
    """
    email = unicodedata.normalize("NFKC", raw).strip().casefold()
    local, sep, domain = email.rpartition("@")
    domain = domain.rstrip(".")
    if not sep or not _LOCAL.match(local) or not _DOMAIN.match(domain) or len(email) > 254:
        raise BadAccountInput("that is not an email address this shop can use")
    return f"{local}@{domain}"
