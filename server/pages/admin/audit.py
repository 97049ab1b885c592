"""`/admin/audit`: every operator write and sign-in, newest first: who, what, when, from where, how it ended."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import Parameter

from operators import service
from operators.roles import Permission
from server.http.params import MAX_ID
from server.http.roles import PERMISSION
from server.pages.admin.common import ctx
from server.pages.admin.console import html_response
from server.pages.admin.layout import frame, h, table

PAGE = 100


@get("/admin/audit", opt={PERMISSION: Permission.AUDIT}, sync_to_thread=True, include_in_schema=False)
def audit_page(
    request: Request,
    before: Annotated[int | None, Parameter(ge=1, le=MAX_ID)] = None,
    action: Annotated[str, Parameter(max_length=100)] = "",
) -> Response:
    """The audit log, filtered by an action prefix (`signin`, `POST /admin`, ...)."""
    c = ctx(request)
    entries = service.audit_log(c.database, before_id=before, limit=PAGE, action_prefix=action.strip())
    search = (
        f'<form class="inline" method="get" action="/admin/audit"><label for="action">{h(c.t("audit.action"))}</label>'
        f'<input id="action" name="action" value="{h(action)}" maxlength="100">'
        f'<button class="small" type="submit">{h(c.t("filter"))}</button></form>'
    )
    rows = [[e.at.replace("T", " ").rstrip("Z"), e.actor, c.t("role." + e.role) if e.role else "—", e.action,
             e.target, e.detail, e.address, e.status or "—"] for e in entries]
    more = ""
    if len(entries) == PAGE:
        more = f'<p><a href="/admin/audit?before={entries[-1].id}&amp;action={h(action)}">{h(c.t("older"))}</a></p>'
    body = search + table(
        c.t("audit.title"),
        [c.t("audit.at"), c.t("audit.who"), c.t("audit.role"), c.t("audit.action"), c.t("audit.target"),
         c.t("audit.detail"), c.t("audit.address"), c.t("audit.status")],
        rows, numeric=(7,),
    ) + more
    return html_response(frame(request, c.info, c.t("audit.title"), body))


AUDIT_ROUTES = [audit_page]
