"""Which language a shop page speaks: the shopper's choice (the ``lm_locale`` cookie, which the PWA keeps equal
to the synced ``prefs/locale``), else ``Accept-Language``, else English; and ``/lang/{locale}`` to choose.

Pages that depend on the language say so with ``Vary: Accept-Language, Cookie`` and ``Content-Language``, so an
HTTP cache never hands one shopper's language to another (docs/pwa.md: how the service worker copes).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar import Request, Response, get
from litestar.datastructures import Cookie
from litestar.params import FromPath

from server import i18n
from server.http.problems import problem

COOKIE = "lm_locale"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep (RFC 6265bis)
LOCALE_VARY = "Accept-Language, Cookie"


def page_locale(request: Request) -> str:
    """The locale for this request's page."""
    return i18n.negotiate(request.headers.get("accept-language"), request.cookies.get(COOKIE))


def locale_headers(locale: str) -> dict[str, str]:
    """What a page in ``locale`` adds to its headers (its Vary list is extended by the caller)."""
    return {"Content-Language": locale}


def _back(referer: str | None) -> str:
    """The page to return to: the referring page's path on this site, never another origin (no open redirect)."""
    if not referer or len(referer) > 2048:
        return "/"
    parts = urlsplit(referer)
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")


@get("/lang/{locale:str}", include_in_schema=False)
async def choose_language(request: Request, locale: FromPath[str]) -> Response:
    """Remember the chosen language in a cookie and go back to the page the shopper was on."""
    chosen = i18n.normalise(locale[:35])
    if chosen is None:
        return problem(404, "not-found", f"the shop speaks {', '.join(i18n.SUPPORTED)}", request=request)
    return Response(
        content=b"", status_code=303,
        headers={"Location": _back(request.headers.get("referer")), "Cache-Control": "no-store"},
        cookies=[Cookie(key=COOKIE, value=chosen, max_age=COOKIE_MAX_AGE, path="/", samesite="lax")],
    )


LOCALE_ROUTES = [choose_language]
