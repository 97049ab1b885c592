"""The console's plumbing: the session guard (cookie, role, CSRF), locale, cookies and HTML error pages.

A console page declares its permission like an admin API route (``opt={"permission": ...}``); the guard finds the
session from its HttpOnly SameSite=Strict cookie, checks the role, and for every unsafe method checks the form's
``csrf`` field (or an ``X-CSRF-Token`` header) against the session's token before the handler runs.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qs, quote

from anyio import to_thread
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler

from operators import service
from operators.errors import Forbidden, NotSignedIn
from operators.models import SessionInfo
from server.http.audit import AUDIT_DETAIL
from server.http.roles import STATE_KEY, check, operator_policy, required_permission
from server.i18n import negotiate, normalise

CONSOLE_STATE = "console"
PUBLIC = "console_public"  # opt key: a page anyone may open (sign-in)
SESSION_COOKIE = "lm_console"
SIGNIN_COOKIE = "lm_console_signin"
LANG_COOKIE = "lm_console_lang"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HTML = "text/html"


class SignInNeeded(Exception):
    """No usable console session: the page answers with a redirect to the sign-in page."""


class CsrfRefused(Exception):
    """An unsafe request without the session's CSRF token: refused before anything changes."""


def is_https(connection: ASGIConnection) -> bool:
    """True when the browser reached us over https (directly or through a proxy saying so)."""
    # Trusting the header can only make cookies stricter, never looser.
    return connection.scope.get("scheme") == "https" or connection.headers.get("x-forwarded-proto") == "https"


def cookie(connection: ASGIConnection, key: str, value: str, max_age: int | None = None) -> Cookie:
    """A console cookie: HttpOnly, SameSite=Strict, path /admin, Secure behind https."""
    return Cookie(key=key, value=value, path="/admin", httponly=True, samesite="strict", secure=is_https(connection),
                  max_age=max_age)


def remember_language(app: Any) -> Any:
    """ASGI middleware of the console: a page opened with ``?lang=`` (the language switch) sets the language cookie,
    so every later console page follows the switch, not only the one it linked to."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")) if scope["type"] == "http" else {}
        lang = normalise((query.get("lang") or [""])[0][:20])
        if not lang:
            await app(scope, receive, send)
            return
        header = cookie(ASGIConnection(scope), LANG_COOKIE, lang, max_age=365 * 86_400).to_encoded_header()

        async def send_with_cookie(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        await app(scope, receive, send_with_cookie)

    return middleware


def locale_of(request: Request) -> str:
    """The console's language: ?lang= (the switch), then the language cookie, then Accept-Language."""
    return negotiate(request.headers.get("accept-language"),
                     normalise(request.query_params.get("lang")) or request.cookies.get(LANG_COOKIE))


def info_of(request: Request) -> SessionInfo:
    """The signed-in session the guard checked."""
    return request.scope["state"][CONSOLE_STATE]


def note_audit(request: Request, detail: str) -> None:
    """Add a detail (never a shopper's personal data) to this write's audit line."""
    request.scope.setdefault("state", {})[AUDIT_DETAIL] = detail


def client_address(connection: ASGIConnection) -> str:
    """The peer address sign-in limits and the audit log record."""
    return connection.client.host if connection.client else "unknown"


async def console_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The session, the role's permission, and the CSRF token of every unsafe request."""
    if handler.opt.get(PUBLIC):
        return
    value = connection.cookies.get(SESSION_COOKIE)
    if not value:
        raise SignInNeeded()
    state = connection.app.state
    try:
        info = await to_thread.run_sync(service.session, state.database, operator_policy(state.settings), value)
    except NotSignedIn:
        raise SignInNeeded() from None
    state_dict = connection.scope.setdefault("state", {})
    state_dict[CONSOLE_STATE] = info
    if connection.scope["method"] not in SAFE_METHODS:
        # Set before the CSRF and role checks so refused writes are audited too.
        state_dict[STATE_KEY] = info.principal
        await _check_csrf(connection, info)
    check(info.principal, required_permission(handler))


async def _check_csrf(connection: ASGIConnection, info: SessionInfo) -> None:
    sent = connection.headers.get("x-csrf-token")
    if not sent and isinstance(connection, Request):
        content_type, _ = connection.content_type
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            # Litestar caches the parsed form in the scope: the handler reads the same one.
            form = await connection.form()
            sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), info.csrf_token.encode()):
        raise CsrfRefused()


def html_response(html: str, status: int = 200, cookies: list[Cookie] | None = None) -> Response:
    """A console page: never cached (it shows live, per-operator data)."""
    return Response(content=html.encode(), status_code=status, media_type=HTML, cookies=cookies or [],
                    headers={"Cache-Control": "no-store", "Referrer-Policy": "same-origin",
                             "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": CSP})


# Everything the console shows comes from this server: no outside request is even possible.
CSP = ("default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def redirect(location: str, cookies: list[Cookie] | None = None) -> Response:
    """303 See Other (after a form post, or to the sign-in page)."""
    return Response(content=b"", status_code=303, headers={"Location": location, "Cache-Control": "no-store"},
                    cookies=cookies or [])


def _sign_in_redirect(request: Request, _: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query and request.method == "GET" else "")
    gone = Cookie(key=SESSION_COOKIE, value="", path="/admin", max_age=0, httponly=True, samesite="strict")
    return redirect(f"/admin/signin?next={quote(target, safe='/')}", cookies=[gone])


def _error_page(request: Request, status: int, key: str) -> Response:
    from server.pages.admin.layout import error_page

    info = request.scope.get("state", {}).get(CONSOLE_STATE)
    return html_response(error_page(request, info, status, key), status=status)


def exception_handlers() -> dict[type[Exception], Any]:
    """HTML answers for the console's refusals (the JSON API keeps its problem bodies)."""
    return {
        SignInNeeded: _sign_in_redirect,
        Forbidden: lambda request, exc: _error_page(request, 403, "forbidden"),
        CsrfRefused: lambda request, exc: _error_page(request, 403, "csrf"),
    }
