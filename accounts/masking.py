"""Masking personal data for operators and logs: `p***@example.com`, and a log filter that redacts what slips."""

from __future__ import annotations

import ipaddress
import logging
import re

_EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:]+@[A-Za-z0-9\u00a1-\uffff.-]+\.[A-Za-z\u00a1-\uffff]{2,}")
_URL = re.compile(r"https?://[^\s\"'<>]+")


def mask_email(email: str) -> str:
    """The first character of the local part and the domain: enough to tell shoppers apart, not to mail them."""
    local, sep, domain = email.rpartition("@")
    if not sep or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_ip(address: str) -> str:
    """An IP address cut to its network (`203.0.113.*`, `2001:db8:85a3::*`): enough to tell offices and providers
    apart, not to single out a device. Anything else (a test client's name) shows as `***`; empty stays empty."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "***"
    if ip.version == 4:
        return ".".join(address.split(".")[:3]) + ".*"
    network = ipaddress.ip_network(f"{ip}/48", strict=False).network_address.compressed
    return network.removesuffix("::") + "::*"


def mask_text(text: str) -> str:
    """A name or street cut to its first character (`A***`); empty stays empty."""
    return f"{text[0]}***" if text else ""


def mask_phone(phone: str) -> str:
    """A phone number cut to its last two digits (`***00`); empty stays empty."""
    digits = [c for c in phone if c.isdigit()]
    return "***" + "".join(digits[-2:]) if phone else ""


def redact(text: str) -> str:
    """``text`` with every email masked and every URL cut to its origin (push endpoints carry device tokens)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _URL.sub(lambda m: "/".join(m.group(0).split("/", 3)[:3]) + "/…", text)


class RedactingFilter(logging.Filter):
    """Defence in depth on log handlers: messages are written without personal data, this masks any that slip."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Add the redacting filter to every handler of ``logger`` (the root logger by default), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
