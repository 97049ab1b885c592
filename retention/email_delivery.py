"""The email worker: claim due emails, open each shopper's address at send time, send by SMTP, record the outcome.

Like push, at-most-once: rows are claimed ('sending') and committed before anything is sent, so a runner that
dies mid-send leaves claims a later run marks 'lost', never sends twice. SMTP is blocking: this runs in
`lastmile retention run` (a command), never on the server's event loop. A 4xx reply or a broken connection is
retried after a backoff; a 5xx is final ('rejected'). Logs name the outbox row and the reply code, never the
address (smtplib's exceptions carry it, so their text is never logged).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from accounts import consents
from accounts import store as accounts_store
from accounts.consents import EMAIL
from clock import iso

from . import email_store
from .delivery import LOST_AFTER, backoff

log = logging.getLogger("lastmile.email")

MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to connect, from LASTMILE_SMTP_URL."""

    host: str
    port: int
    tls: bool
    """smtps: TLS from the first byte; otherwise STARTTLS whenever the server offers it."""
    user: str | None
    password: str | None

    def __repr__(self) -> str:  # never the password
        return f"SmtpTarget(host={self.host!r}, port={self.port}, tls={self.tls}, user={'***' if self.user else None})"


def target_of(url: str) -> SmtpTarget:
    """Parse a (settings-validated) smtp:// or smtps:// URL."""
    parts = urlsplit(url)
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname or "", port=parts.port or (465 if tls else 25), tls=tls,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


@dataclass(frozen=True)
class EmailOutcome:
    """How one email ended: 'sent', 'rejected', 'failed', 'dropped', or 'pending' with a retry time."""

    outbox_id: int
    state: str
    status: int | None
    retry_at: datetime | None = None


@dataclass
class EmailReport:
    """What one worker pass did."""

    sent: int = 0
    retried: int = 0
    rejected: int = 0
    failed: int = 0
    dropped: int = 0
    lost: int = 0


class EmailSender:
    """Sends claimed emails over one SMTP connection, reopened after a failure."""

    def __init__(self, url: str, sender: str, *, timeout: float = 10.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.target = target_of(url)
        self.sender = sender
        self.timeout = timeout
        self.clock = clock
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        t = self.target
        context = ssl.create_default_context()
        if t.tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
        smtp.ehlo()
        if not t.tls and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
            smtp.ehlo()
        if t.user:
            smtp.login(t.user, t.password or "")
        return smtp

    def message(self, row: dict, address: str, now: datetime) -> EmailMessage:
        """The email for one outbox row: text and HTML alternatives in the row's locale, one-click unsubscribe headers."""
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = address
        msg["Subject"] = row["subject"]
        msg["Date"] = format_datetime(now)
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or "lastmile.invalid"
        msg["Message-ID"] = make_msgid(idstring=f"m{row['message_id']}", domain=domain)
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link, no sign-in.
        msg["List-Unsubscribe"] = f"<{row['unsubscribe_url']}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg.set_content(row["body"], subtype="plain", charset="utf-8")
        if row.get("html"):
            # multipart/alternative: clients that show HTML take the last part, the others the text.
            msg.add_alternative(row["html"], subtype="html", charset="utf-8")
        msg["Content-Language"] = row["locale"]  # after set_content, which clears every Content-* header
        return msg

    def send(self, row: dict, address: str) -> EmailOutcome:
        """Send one email; never raises."""
        now = self.clock()
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            refused = self._smtp.send_message(self.message(row, address, now), to_addrs=[address])
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0] if exc.recipients else None
            return self._answer(row, code, now)
        except smtplib.SMTPResponseException as exc:
            self.close()
            return self._answer(row, exc.smtp_code, now)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            log.info("email %s: no answer from the SMTP server (%s)", row["id"], type(exc).__name__)
            return self._answer(row, None, now)
        if refused:
            return self._answer(row, next(iter(refused.values()))[0], now)
        return EmailOutcome(row["id"], "sent", 250)

    def _answer(self, row: dict, code: int | None, now: datetime) -> EmailOutcome:
        """The outcome of a reply code (None: no reply): 5xx final, 4xx and silence retried."""
        if code is not None and code >= 500:
            log.info("email %s: refused by the SMTP server (%s)", row["id"], code)
            return EmailOutcome(row["id"], "rejected", code)
        if code is not None:
            log.info("email %s: the SMTP server asks to try again (%s)", row["id"], code)
        if row["attempts"] + 1 >= MAX_ATTEMPTS:
            return EmailOutcome(row["id"], "failed", code)
        return EmailOutcome(row["id"], "pending", code, now + timedelta(seconds=backoff(row["attempts"] + 1)))

    def close(self) -> None:
        """Close the connection (politely if it still answers)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _address(database: Any, user_id: int) -> str | None:
    """The shopper's address, opened now, if they still agree to email (consent is checked again at send time)."""
    with database.snapshot() as db:
        if not consents.has(db, user_id, EMAIL):
            return None
        return accounts_store.emails_of(db, [user_id]).get(user_id)


def deliver_email_due(database: Any, sender: EmailSender, *, now: datetime | None = None, batch: int = 100,
                      progress: Callable[[int], None] | None = None) -> EmailReport:
    """Send every email due at ``now``: ``batch`` claims per transaction, one at a time over one connection."""
    now = now or sender.clock()
    report = EmailReport()
    with database.write() as db:
        report.lost = email_store.mark_lost(db, iso(now - LOST_AFTER))
    try:
        while True:
            with database.write() as db:
                rows = email_store.claim_due(db, iso(now), batch)
            if not rows:
                break
            outcomes = []
            for row in rows:
                address = _address(database, row["user_id"])
                outcomes.append(EmailOutcome(row["id"], "dropped", None) if address is None else sender.send(row, address))
            with database.write() as db:
                for outcome in outcomes:
                    retry = iso(outcome.retry_at) if outcome.retry_at else None
                    email_store.finish(db, outcome.outbox_id, outcome.state, outcome.status, iso(sender.clock()), retry)
                    if outcome.state == "pending":
                        report.retried += 1
                    else:
                        setattr(report, outcome.state, getattr(report, outcome.state) + 1)
            if progress is not None:
                progress(len(rows))
    finally:
        sender.close()
    return report
