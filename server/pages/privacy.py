"""`/privacy`: the shopper's consents per purpose, their data export and account deletion (pwa/privacy.js fills it).

Texts come from server/i18n (messages/privacy.json) in the negotiated locale; the form is the same for every
shopper of a locale (the consents themselves come from the synced view in the browser).
"""

from __future__ import annotations

from html import escape

from litestar import Request, Response, get

from accounts.consents import PURPOSES
from server import i18n
from server.http.conditional import conditional
from server.pages import html as page_html
from server.pages.assets import bundle_for
from server.pages.locale import LOCALE_VARY, locale_headers, page_locale


def _t(locale: str, key: str) -> str:
    return escape(i18n.t(locale, f"privacy.{key}"))


def privacy_body(locale: str) -> str:
    """The page's main element in ``locale``: consent switches, export, deletion (disabled until the script runs)."""
    switches = "".join(
        f'<div class="lm-consent"><input type="checkbox" id="lm-consent-{p}" name="{p}" disabled'
        f' aria-describedby="lm-consent-{p}-help"><label for="lm-consent-{p}">{_t(locale, f"purpose.{p}")}</label>'
        f'<p class="lm-muted" id="lm-consent-{p}-help">{_t(locale, f"purpose.{p}.help")}</p></div>'
        for p in PURPOSES
    )
    texts = " ".join(f'data-{k.replace(".", "-")}="{_t(locale, k)}"' for k in ("saved", "offline", "delete.done", "needs_signin"))
    return (
        f'<main id="lm-privacy" {texts}><h1>{_t(locale, "title")}</h1>'
        f'<p>{_t(locale, "intro")}</p><p class="lm-muted" id="lm-privacy-status" role="status"></p>'
        f'<form id="lm-consents"><fieldset><legend>{_t(locale, "consents")}</legend>{switches}</fieldset></form>'
        f'<section aria-labelledby="lm-export-h"><h2 id="lm-export-h">{_t(locale, "export")}</h2>'
        f'<p>{_t(locale, "export.help")}</p>'
        f'<button type="button" class="lm-btn" id="lm-export" disabled>{_t(locale, "export.button")}</button></section>'
        f'<section aria-labelledby="lm-delete-h"><h2 id="lm-delete-h">{_t(locale, "delete")}</h2>'
        f'<p>{_t(locale, "delete.help")}</p><form id="lm-delete">'
        f'<label for="lm-delete-password">{_t(locale, "delete.password")}</label>'
        f'<input id="lm-delete-password" name="password" type="password" autocomplete="current-password" required disabled>'
        f'<label for="lm-delete-code">{_t(locale, "delete.code")}</label>'
        f'<input id="lm-delete-code" name="totp" inputmode="numeric" pattern="[0-9]{{6}}" autocomplete="one-time-code" disabled>'
        f'<button type="submit" class="lm-btn" disabled>{_t(locale, "delete.button")}</button></form></section>'
        f'<noscript><p>{escape(i18n.t(locale, "shop.needs_js"))}</p></noscript></main>'
    )


@get("/privacy", sync_to_thread=True, include_in_schema=False)
def privacy_page(request: Request) -> Response:
    """Consents, export and deletion, in the shopper's language (server/pages/locale.py)."""
    locale = page_locale(request)
    html = page_html.document(bundle_for().shell, title=f'{i18n.t(locale, "privacy.title")} · Lastmile',
                              body=privacy_body(locale), html_attrs=' data-page="privacy"', locale=locale).encode()
    headers = {"Cache-Control": "no-cache", "Vary": LOCALE_VARY, **locale_headers(locale)}
    return conditional(request, html, "text/html", headers)


PRIVACY_PAGE_ROUTES = [privacy_page]
