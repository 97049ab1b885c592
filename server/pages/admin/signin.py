"""`/admin/signin` (email, password, one-time code) and `/admin/signout`."""

from __future__ import annotations

import hmac
import secrets

from anyio import to_thread
from litestar import Request, Response, get, post

from operators import service
from operators.errors import SignInFailed, TooManyAttempts
from operators.roles import Permission
from server.http.roles import PERMISSION, operator_policy
from server.pages.admin.console import (
    PUBLIC,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    client_address,
    cookie,
    html_response,
    info_of,
    locale_of,
    redirect,
)
from server.pages.admin.layout import frame, h, tx

MAX_FIELD = 1024


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path only (never another site)."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target[:512]
    return "/admin"


def _form(request: Request, token: str, target: str, error: str = "", status: int = 200,
          headers: dict | None = None) -> Response:
    locale = locale_of(request)
    warn = f'<p class="warn" role="alert">{h(error)}</p>' if error else ""
    body = f"""{warn}<form class="stack" method="post" action="/admin/signin">
<input type="hidden" name="csrf" value="{h(token)}"><input type="hidden" name="next" value="{h(target)}">
<label for="email">{h(tx(locale, "signin.email"))}</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254">
<label for="password">{h(tx(locale, "signin.password"))}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<label for="code">{h(tx(locale, "signin.code"))}</label>
<input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9]{{6}}" autocomplete="one-time-code" required maxlength="6">
<button type="submit">{h(tx(locale, "signin.submit"))}</button></form>"""
    cookies = [cookie(request, SIGNIN_COOKIE, token, max_age=3600)]  # the language cookie: console.remember_language
    response = html_response(frame(request, None, tx(locale, "signin.title"), body), status=status, cookies=cookies)
    response.headers.update(headers or {})
    return response


@get("/admin/signin", opt={PUBLIC: True}, include_in_schema=False)
async def signin_page(request: Request) -> Response:
    """The sign-in form; its CSRF token is also set as a cookie (double submit: no session exists yet)."""
    return _form(request, secrets.token_urlsafe(32), safe_next(request.query_params.get("next")))


@post("/admin/signin", opt={PUBLIC: True}, include_in_schema=False)
async def signin(request: Request) -> Response:
    """Check email, password and code; a session cookie and the page asked for, or the form again with why."""
    form = await request.form()
    locale = locale_of(request)
    fields = {k: str(form.get(k, ""))[:MAX_FIELD] for k in ("csrf", "next", "email", "password", "code")}
    target = safe_next(fields["next"])
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    token = secrets.token_urlsafe(32)
    if not expected or not hmac.compare_digest(fields["csrf"].encode(), expected.encode()):
        return _form(request, token, target, tx(locale, "error.csrf"), status=403)
    state = request.app.state
    try:
        signed = await to_thread.run_sync(
            service.sign_in, state.database, operator_policy(state.settings), fields["email"], fields["password"],
            fields["code"], client_address(request))
    except TooManyAttempts as exc:
        return _form(request, token, target, tx(locale, "signin.limited", seconds=exc.retry_after), status=429,
                     headers=exc.headers)
    except SignInFailed:
        return _form(request, token, target, tx(locale, "signin.failed"), status=401)
    max_age = operator_policy(state.settings).session_max_seconds
    return redirect(target, cookies=[cookie(request, SESSION_COOKIE, signed.cookie, max_age=max_age),
                                     cookie(request, SIGNIN_COOKIE, "", max_age=0)])


@post("/admin/signout", opt={PERMISSION: Permission.DASHBOARD}, include_in_schema=False)
async def signout(request: Request) -> Response:
    """End this session."""
    info = info_of(request)
    await to_thread.run_sync(service.sign_out, request.app.state.database, info)
    return redirect("/admin/signin", cookies=[cookie(request, SESSION_COOKIE, "", max_age=0)])


SIGNIN_ROUTES = [signin_page, signin, signout]
