"""`/admin/returns`: every return, newest first, with its 4-hour refund target (time left or overdue from the moment
the goods were received) and the status moves it allows (support and owner: the returns permission)."""

from __future__ import annotations

from anyio import to_thread
from litestar import Request, Response, get, post

from loyalty import service
from loyalty.errors import BadReturnMove, UnknownReturn
from loyalty.return_models import AdminReturn
from loyalty.return_rules import RETURN_MOVES, RETURN_STATUSES
from operators.roles import Permission
from server.http.params import Before, Id, one_of
from server.http.roles import PERMISSION
from server.i18n import t
from server.pages.admin.common import Ctx, ctx, form_fields
from server.pages.admin.console import html_response, note_audit, redirect
from server.pages.admin.layout import frame, h, money, move_form, status_filter, table

PAGE = 50
ReturnStatus = one_of(RETURN_STATUSES)


def rt(c: Ctx, key: str, **params: object) -> str:
    """A text of this page (server/i18n/messages/returns_console.json) in the operator's language."""
    return t(c.locale, f"returns_console.{key}", **params)


def _duration(c: Ctx, seconds: int) -> str:
    minutes = abs(seconds) // 60
    return rt(c, "hours_minutes", hours=minutes // 60, minutes=minutes % 60)


def _stamp(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else ""


def target_cell(c: Ctx, item: AdminReturn) -> str:
    """The refund target: not started, time left, overdue (said in words, not by colour only), or met."""
    ret = item.ret
    if ret.status == "refunded":
        return rt(c, "met", at=_stamp(ret.refunded_at))
    if item.seconds_to_refund_target is None:
        return rt(c, "not_started") if ret.status in ("requested", "approved") else ""
    due = _stamp(ret.refund_due_at)
    left = item.seconds_to_refund_target
    if left < 0:
        return f'<strong class="overdue">{h(rt(c, "overdue", time=_duration(c, left), due=due))}</strong>'
    return h(rt(c, "left", time=_duration(c, left), due=due))


def _move_form(c: Ctx, item: AdminReturn) -> str:
    moves = RETURN_MOVES.get(item.ret.status, ())
    if not moves:
        return ""
    return move_form(c.info, f"/admin/returns/{item.ret.id}/status", rt(c, "move", id=item.ret.id),
                     [(m, t(c.locale, "returns.status." + m)) for m in moves], rt(c, "apply"))


def _row(c: Ctx, item: AdminReturn) -> list[object]:
    ret = item.ret
    shipping = rt(c, "free") if ret.free_shipping else rt(c, "fee", fee=money(ret.shipping_fee, ret.currency))
    lines = ", ".join(f"{l.sku} × {l.qty}" for l in ret.lines)
    return [ret.id, ret.order_id, item.user_id, t(c.locale, "returns.status." + ret.status), lines,
            money(ret.refund, ret.currency), shipping, _stamp(ret.requested_at), target_cell(c, item),
            _move_form(c, item)]


@get("/admin/returns", opt={PERMISSION: Permission.RETURNS}, sync_to_thread=True, include_in_schema=False)
def returns_page(
    request: Request,
    status: ReturnStatus = None,
    before: Before = None,
) -> Response:
    """Returns with their refund targets and a form per return for the moves its status allows."""
    c = ctx(request)
    page = service.returns_page(c.database, status, before, PAGE)
    flash = rt(c, "moved") if request.query_params.get("done") == "moved" else ""
    filter_form = status_filter("/admin/returns", rt(c, "status"), rt(c, "any"),
                                [(s, t(c.locale, "returns.status." + s)) for s in RETURN_STATUSES], status, rt(c, "filter"))
    more = ""
    if page.next_cursor is not None:
        query = f"&status={status}" if status else ""
        more = f'<p><a href="/admin/returns?before={page.next_cursor}{query}">{h(rt(c, "older"))}</a></p>'
    body = filter_form + table(
        rt(c, "caption"),
        [rt(c, "id"), rt(c, "order"), rt(c, "shopper"), rt(c, "status"), rt(c, "lines"), rt(c, "refund"),
         rt(c, "shipping"), rt(c, "requested"), rt(c, "target"), rt(c, "change")],
        [_row(c, item) for item in page.items], numeric=(0, 1, 2, 5), raw=(8, 9),
    ) + more
    return html_response(frame(request, c.info, rt(c, "title"), body, flash=flash))


@post("/admin/returns/{return_id:int}/status", opt={PERMISSION: Permission.RETURNS}, include_in_schema=False)
async def return_status(request: Request, return_id: Id) -> Response:
    """Move one return (refunding gives back its share of points and growth, as the loyalty room says)."""
    c = ctx(request)
    fields = await form_fields(request, "status")
    note_audit(request, f"return {return_id} -> {fields['status']}")
    if fields["status"] not in RETURN_STATUSES:
        return html_response(frame(request, c.info, rt(c, "title"),
                                   f'<p class="warn" role="alert">{h(rt(c, "bad_status"))}</p>'), status=422)
    try:
        listeners = request.app.state.hooks.order_listeners
        await to_thread.run_sync(lambda: service.move_return(c.database, return_id, fields["status"],
                                                             listeners=listeners))
    except (BadReturnMove, UnknownReturn) as exc:
        status, key = (404, "unknown") if isinstance(exc, UnknownReturn) else (409, "bad_move")
        return html_response(frame(request, c.info, rt(c, "title"),
                                   f'<p class="warn" role="alert">{h(rt(c, key))}</p>'), status=status)
    return redirect("/admin/returns?done=moved")


RETURN_ROUTES = [returns_page, return_status]
