"""`/unsubscribe?token=…`: the email's unsubscribe link, no sign-in needed.

GET shows a page that asks first (link scanners and mail previews fetch links; a GET must change nothing); its
button POSTs back to the same URL. POST unsubscribes: the page's form, and RFC 8058's one-click POST a mail client
sends from the List-Unsubscribe header (body ``List-Unsubscribe=One-Click``). The token is the signature
(retention/unsubscribe.py); texts are in server/i18n/messages/email.json, in the shopper's language.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape
from urllib.parse import parse_qs

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from typing import Annotated

from retention import audience_store, email_channel
from retention.unsubscribe import MAX_TOKEN, shopper_of, unsubscribe
from retention.view import notify
from server import i18n
from server.db import Database
from server.http.problems import problem
from server.pages import html as page_html
from server.pages.assets import bundle_for
from server.pages.locale import LOCALE_VARY, locale_headers

MAX_FORM_BYTES = 1024
Token = Annotated[str | None, QueryParameter(name="token", max_length=MAX_TOKEN, required=False)]


def _t(locale: str, key: str) -> str:
    return escape(i18n.t(locale, f"email.page.{key}"))


def _locale(request: Request, database: Database, user_id: int | None) -> str:
    """The shopper's language (their push profile or synced preference), else the browser's."""
    preferred = None
    if user_id is not None:
        db = database.read()
        preferred = email_channel.shopper_locale(db, user_id, audience_store.get_profile(db, user_id) or {})
    return i18n.negotiate(request.headers.get("accept-language"), i18n.normalise(preferred) if preferred else None)


def _page(locale: str, title_key: str, body: str, status: int) -> Response:
    main = f'<main id="lm-unsubscribe"><h1>{_t(locale, title_key)}</h1>{body}</main>'
    html = page_html.document(bundle_for().shell, title=f"{i18n.t(locale, f'email.page.{title_key}')} · Lastmile",
                              body=main, locale=locale).encode()
    headers = {"Cache-Control": "no-store", "Vary": LOCALE_VARY, "Referrer-Policy": "no-referrer",
               **locale_headers(locale)}
    return Response(content=html, status_code=status, media_type="text/html", headers=headers)


def _privacy_link(locale: str) -> str:
    return f'<p><a href="/privacy">{_t(locale, "privacy")}</a></p>'


@get("/unsubscribe", include_in_schema=False)
async def unsubscribe_page(request: Request, database: NamedDependency[Database], token: Token = None) -> Response:
    """Ask before unsubscribing (a GET changes nothing); a bad link gets a 400 page saying so."""
    # Async, with the database read in a worker thread: a sync_to_thread handler sharing its path with another
    # handler came back from Litestar (2.25) as an unawaited coroutine.
    user_id = shopper_of(token)
    locale = await to_thread.run_sync(_locale, request, database, user_id)
    if user_id is None:
        return _page(locale, "bad.title", f'<p>{_t(locale, "bad")}</p>{_privacy_link(locale)}', 400)
    form = (f'<p>{_t(locale, "confirm")}</p>'
            f'<form method="post" action="/unsubscribe?token={escape(token or "")}">'
            f'<input type="hidden" name="token" value="{escape(token or "")}">'
            f'<button type="submit" class="lm-btn">{_t(locale, "button")}</button></form>{_privacy_link(locale)}')
    return _page(locale, "title", form, 200)


def _unsubscribe(request: Request, database: Database, user_id: int) -> Response:
    with database.write() as db:
        unsubscribe(db, user_id, datetime.now(timezone.utc))
    notify([user_id])  # the shopper's devices show the withdrawn consent at once
    locale = _locale(request, database, user_id)
    return _page(locale, "done.title", f'<p>{_t(locale, "done")}</p>{_privacy_link(locale)}', 200)


@post("/unsubscribe", include_in_schema=False, status_code=200, request_max_body_size=MAX_FORM_BYTES)
async def unsubscribe_now(request: Request, database: NamedDependency[Database], token: Token = None) -> Response:
    """Withdraw email consent for the token's shopper: the page's button or a mail client's one-click POST."""
    if token is None:
        form = parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=4)
        token = (form.get("token") or [None])[0]
    user_id = shopper_of(token)
    if user_id is None:
        return problem(400, "bad-unsubscribe-link", "the unsubscribe link is incomplete or was changed", request=request)
    # The database is blocking: never on the event loop.
    return await to_thread.run_sync(_unsubscribe, request, database, user_id)


UNSUBSCRIBE_ROUTES = [unsubscribe_page, unsubscribe_now]
