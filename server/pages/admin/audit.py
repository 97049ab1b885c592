"""`/admin/audit`: every operator write and sign-in, newest first: who, what, when, from where, how it ended.

Client addresses are personal data: sealed at rest, shown cut to their network (`203.0.113.*`) unless an operator
whose role may reveal personal data gives a reason (the same rule as a shopper's email); the reveal is audited.
"""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import Parameter

from accounts.masking import mask_ip
from operators import service
from operators.errors import Forbidden
from operators.roles import Permission
from server.http.params import MAX_ID, Before
from server.http.reveal import REASON_MAX, REASON_MIN
from server.http.roles import PERMISSION
from server.pages.admin.common import Ctx, ctx, form_fields, parse_int
from server.pages.admin.console import html_response, note_audit
from server.pages.admin.layout import csrf_field, frame, h, table

PAGE = 100


def _page(request: Request, c: Ctx, before: int | None, action: str, revealed: bool) -> str:
    entries = service.audit_log(c.database, before_id=before, limit=PAGE, action_prefix=action.strip())
    search = (
        f'<form class="inline" method="get" action="/admin/audit"><label for="action">{h(c.t("audit.action"))}</label>'
        f'<input id="action" name="action" value="{h(action)}" maxlength="100">'
        f'<button class="small" type="submit">{h(c.t("filter"))}</button></form>'
    )
    if not revealed and c.info.principal.can(Permission.REVEAL):
        search += (
            f'<form class="inline" method="post" action="/admin/audit/reveal">{csrf_field(c.info)}'
            f'<input type="hidden" name="action" value="{h(action)}">'
            f'<input type="hidden" name="before" value="{before or ""}">'
            f'<label for="reason">{h(c.t("shoppers.reason"))}</label>'
            f'<input id="reason" name="reason" required minlength="{REASON_MIN}" maxlength="{REASON_MAX}">'
            f'<button class="small" type="submit">{h(c.t("audit.reveal"))}</button></form>'
        )
    rows = [[e.at.replace("T", " ").rstrip("Z"), e.actor, c.t("role." + e.role) if e.role else "—", e.action,
             e.target, e.detail, e.address if revealed else mask_ip(e.address), e.status or "—"] for e in entries]
    more = ""
    if len(entries) == PAGE:
        more = f'<p><a href="/admin/audit?before={entries[-1].id}&amp;action={h(action)}">{h(c.t("older"))}</a></p>'
    return search + table(
        c.t("audit.title"),
        [c.t("audit.at"), c.t("audit.who"), c.t("audit.role"), c.t("audit.action"), c.t("audit.target"),
         c.t("audit.detail"), c.t("audit.address"), c.t("audit.status")],
        rows, numeric=(7,),
    ) + more


@get("/admin/audit", opt={PERMISSION: Permission.AUDIT}, sync_to_thread=True, include_in_schema=False)
def audit_page(
    request: Request,
    before: Before = None,
    action: Annotated[str, Parameter(max_length=100)] = "",
) -> Response:
    """The audit log, filtered by an action prefix (`signin`, `POST /admin`, ...); addresses masked."""
    c = ctx(request)
    return html_response(frame(request, c.info, c.t("audit.title"), _page(request, c, before, action, revealed=False)))


@post("/admin/audit/reveal", opt={PERMISSION: Permission.AUDIT}, include_in_schema=False)
async def reveal_addresses(request: Request) -> Response:
    """The same page with the client addresses shown, for the reason given (reveal roles only; audited)."""
    c = ctx(request)
    fields = await form_fields(request, "reason", "action", "before")
    reason, action = fields["reason"][:REASON_MAX], fields["action"][:100]
    before = parse_int(fields["before"], 1, MAX_ID) if fields["before"] else None
    note_audit(request, f"audit log addresses revealed; reason: {reason}")
    if not c.info.principal.can(Permission.REVEAL):
        raise Forbidden("this role sees client addresses masked")
    if len(reason) < REASON_MIN:
        body = f'<p class="warn" role="alert">{h(c.t("audit.reason_needed", n=REASON_MIN))}</p>'
        return html_response(frame(request, c.info, c.t("audit.title"), body), status=422)
    body = await to_thread.run_sync(lambda: _page(request, c, before, action, revealed=True))
    return html_response(frame(request, c.info, c.t("audit.title"), body, flash=c.t("done.addresses_revealed")))


AUDIT_ROUTES = [audit_page, reveal_addresses]
