"""Email as push's fallback: who gets one, and the message rendered from the same template in their locale.

A message goes by email only when the shopper has no push subscription, agreed to the `email` purpose (besides
`offers`, without which nothing is planned at all), and the channel is on (LASTMILE_SMTP_URL). The text is the
template's (the library has en and zh-CN; the shopper's locale picks) plus the channel's own lines (a link to the
message's page and the unsubscribe footer), as plain text and as HTML (email_html.py) from server/i18n/messages/email.json, handed over as
``RetentionConfig.email_text``. The address is not stored here: it is unsealed from the accounts room at send time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from accounts import consents
from accounts.consents import EMAIL
from sync import store as sync_store

from . import email_html, email_store
from .config import RetentionConfig
from .placeholders import localised
from .models import Template
from .templates import choose, fill
from .unsubscribe import link

MAX_SUBJECT = 200


def wanted(db: Any, user_id: int, has_push: bool, config: RetentionConfig) -> bool:
    """Whether this shopper's message goes by email: no push subscription, the channel on, email consent given."""
    return not has_push and config.email and consents.has(db, user_id, EMAIL)


def text_locale(tag: str | None) -> str:
    """The email texts' locale for a template's language tag (messages/email.json has en and zh-CN)."""
    tag = (tag or "").lower()
    return "zh-CN" if tag == "zh" or tag.startswith(("zh-cn", "zh-hans", "zh-sg")) else "en"


def shopper_locale(db: Any, user_id: int, profile: Mapping[str, Any]) -> str | None:
    """The shopper's language: the one their push subscription gave, else their synced `prefs/locale`."""
    if profile.get("locale"):
        return profile["locale"]
    chosen = sync_store.get_value(db, user_id, "prefs/locale")
    return chosen if isinstance(chosen, str) else None


@dataclass(frozen=True)
class RenderedEmail:
    """One shopper's email: its language, subject, and the same message as plain text and as HTML."""

    locale: str
    subject: str
    text: str
    html: str


def render(template: Template, context: Mapping[str, object], *, config: RetentionConfig, unsubscribe_url: str
           ) -> RenderedEmail:
    """One shopper's email from the template, in the template's language (the channel's own lines likewise)."""
    locale = text_locale(template.locale)
    text = config.email_text or (lambda _locale, key, **params: "")
    # A header cannot hold line breaks (and must not: they would inject headers).
    subject = " ".join(fill(template.title, context).split())[:MAX_SUBJECT]
    path = fill(template.url, context)
    path = path if path.startswith("/") and not path.startswith("//") else "/"
    open_url = f"{config.public_url.rstrip('/')}{path}"
    message = fill(template.body, context).strip()
    why = text(locale, "why")
    plain = "\n\n".join(part for part in (
        message,
        text(locale, "open", url=open_url),
        "-- \n" + why + "\n" + text(locale, "unsubscribe", url=unsubscribe_url),
    ) if part.strip())
    html = email_html.page(locale=locale, subject=subject, body=message, open_url=open_url,
                           open_label=text(locale, "open.link"), why=why, unsubscribe_url=unsubscribe_url,
                           unsubscribe_label=text(locale, "unsubscribe.link"))
    return RenderedEmail(locale=locale, subject=subject, text=plain + "\n", html=html)


def enqueue(db: Any, *, message_id: int, user_id: int, templates: Sequence[Template], context: Mapping[str, object],
            profile: Mapping[str, Any], config: RetentionConfig, not_before: str) -> None:
    """Queue the message's email in the shopper's locale, due at ``not_before`` (caps and quiet hours applied)."""
    template = choose(templates, shopper_locale(db, user_id, profile), config.fallback_locale)
    url = link(config.public_url, user_id)
    email = render(template, localised(context, template.locale, config.holiday_names), config=config,
                   unsubscribe_url=url)
    email_store.enqueue(db, {"message_id": message_id, "user_id": user_id, "locale": email.locale,
                             "subject": email.subject, "body": email.text, "html": email.html, "unsubscribe_url": url,
                             "not_before": not_before})
