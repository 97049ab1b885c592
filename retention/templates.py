"""Notification templates: `{placeholder}` substitution, per-locale choice with a fallback, payload size limit."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import msgspec

from .errors import BadTemplate, PayloadTooLarge, UnknownTemplate
from .models import Payload, Template, TemplateIn

MAX_PAYLOAD_BYTES = 3072
"""Web Push allows 4096 bytes after encryption; 3 KB of plaintext leaves room for the record overhead."""

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = frozenset(
    {"code", "discount", "offer", "expires_on", "tier", "points", "sku", "product", "old_price", "new_price", "items", "segment", "holiday", "order", "views"}
)
OFFER_PLACEHOLDERS = frozenset({"code", "discount", "expires_on"})
"""Filled from the variant's offer: without one they would print as nothing ("use code  before .")."""
TRIGGER_GIVES = {"points_expiring": frozenset({"expires_on"})}
"""Offer placeholders a trigger's own context fills (points_expiring: the day the points go)."""
_encoder = msgspec.json.Encoder()


def _check_path(value: str, field: str) -> None:
    if not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        raise BadTemplate(f"{field} must be a path on this site starting with a single /")


def check_template(template: TemplateIn) -> TemplateIn:
    """The template if its placeholders are known and its url/icon stay on this site."""
    for field in ("title", "body", "url"):
        for name in PLACEHOLDER.findall(getattr(template, field)):
            if name not in PLACEHOLDERS:
                raise BadTemplate(f"{field} uses unknown placeholder {{{name}}}; known: {', '.join(sorted(PLACEHOLDERS))}")
    _check_path(template.url, "url")
    if template.icon is not None:
        _check_path(template.icon, "icon")
    return template


def offer_placeholders(templates: Sequence[Template | TemplateIn], trigger: str) -> list[str]:
    """The placeholders of these templates that only an offer fills on this trigger (none: fine without an offer)."""
    wanted = OFFER_PLACEHOLDERS - TRIGGER_GIVES.get(trigger, frozenset())
    return sorted({name for t in templates for field in (t.title, t.body, t.url)
                   for name in PLACEHOLDER.findall(field) if name in wanted})


def fill(text: str, context: Mapping[str, object]) -> str:
    """Replace each `{name}` by the context's value (missing values become empty)."""
    return PLACEHOLDER.sub(lambda m: str(context.get(m.group(1), "")), text)


def choose(templates: Sequence[Template], locale: str | None, fallback: str) -> Template:
    """The template for the shopper's locale: exact tag, then its language, then the fallback locale likewise."""
    for want in (locale, fallback):
        if not want:
            continue
        want = want.lower()
        for template in templates:
            if template.locale.lower() == want:
                return template
        language = want.split("-")[0]
        for template in templates:
            if template.locale.lower().split("-")[0] == language:
                return template
    if templates:
        return templates[0]
    raise UnknownTemplate("no template for this trigger in any locale")


def render(
    template: Template, context: Mapping[str, object], *, message_id: int, tag: str | None, offer_id: int | None, receipt: str | None = None
) -> bytes:
    """The JSON payload for one shopper; PayloadTooLarge past MAX_PAYLOAD_BYTES."""
    url = fill(template.url, context)
    payload = Payload(
        title=fill(template.title, context),
        body=fill(template.body, context),
        url=url if url.startswith("/") and not url.startswith("//") else "/",
        message_id=message_id,
        icon=template.icon,
        tag=tag,
        offer_id=offer_id,
        receipt=receipt,
    )
    data = _encoder.encode(payload)
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(f"the notification is {len(data)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
    return data
