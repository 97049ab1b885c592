"""`/admin/orders`: every shopper's orders, newest first, with status changes (pay, fulfil, cancel, refund)."""

from __future__ import annotations

from anyio import to_thread
from litestar import Request, Response, get, post

from loyalty import report_store, service
from loyalty.errors import BadTransition, UnknownOrder
from loyalty import rules
from loyalty.rules import ORDER_STATUSES
from operators.roles import Permission
from server.http.params import Before, Id, one_of
from server.http.roles import PERMISSION
from server.i18n import MissingText, t
from server.pages.admin.common import Ctx, ctx, form_fields
from server.pages.admin.console import html_response, note_audit, redirect
from server.pages.admin.layout import frame, h, money, move_form, status_filter, table

PAGE = 50
OrderStatus = one_of(ORDER_STATUSES)


def _pickup(c: Ctx, point: str | None) -> str:
    """A pickup order's point as HTML: its name and where it is (with opening hours), in the operator's language.

    Shown in the clear, unlike the shopper's delivery address, which operator views mask until revealed with a reason
    (docs/architecture.md, Privacy: Masking; server/http/reveal.masked_address): a pickup point is one of the shop's
    own public places (loyalty/pickup_points.py), the same for every shopper who picks it, so it is no personal data.
    """
    if point is None:
        return "—"
    try:
        name, where = t(c.locale, f"pickup.{point}.name"), t(c.locale, f"pickup.{point}.where")
    except MissingText:  # a point no longer listed: its id is all the order knows
        return h(point)
    return f'<span data-pickup="{h(point)}">{h(name)}<br><span class="muted">{h(where)}</span></span>'


@get("/admin/orders", opt={PERMISSION: Permission.ORDERS}, sync_to_thread=True, include_in_schema=False)
def orders_page(
    request: Request,
    status: OrderStatus = None,
    before: Before = None,
) -> Response:
    """Orders with a form per order for the moves its status allows."""
    c = ctx(request)
    rows = report_store.recent_orders(c.database.read(), status, before, PAGE)
    filter_form = status_filter("/admin/orders", c.t("orders.status"), c.t("orders.any"),
                                [(s, c.t("status." + s)) for s in ORDER_STATUSES], status, c.t("filter"))
    body_rows = []
    for r in rows:
        moves = rules.moves(r["status"], r["payment_method"])
        if r["status"] == "fulfilled" and not r["delivered_at"]:
            moves = ("delivered", *moves)  # the carrier's confirmation (not a status: loyalty.orders.deliver)
        action = move_form(c.info, f"/admin/orders/{r['id']}/status", c.t("orders.move", id=r["id"]),
                           [(m, c.t("status." + m)) for m in moves], c.t("apply")) if moves else ""
        body_rows.append([r["id"], r["user_id"], c.t("status." + r["status"]), money(r["total"], r["currency"]),
                          _pickup(c, r["pickup_point"]), r["created_at"][:16].replace("T", " "), action])
    more = ""
    if len(rows) == PAGE:
        query = f"&status={status}" if status else ""
        more = f'<p><a href="/admin/orders?before={rows[-1]["id"]}{query}">{h(c.t("older"))}</a></p>'
    body = filter_form + table(
        c.t("orders.title"),
        [c.t("orders.id"), c.t("orders.shopper"), c.t("orders.status"), c.t("orders.total"), c.t("orders.pickup"),
         c.t("orders.placed"), c.t("orders.change")],
        body_rows, numeric=(0, 1, 3), raw=(4, 6),
    ) + more
    return html_response(frame(request, c.info, c.t("orders.title"), body, flash=c.flash))


@post("/admin/orders/{order_id:int}/status", opt={PERMISSION: Permission.ORDERS}, include_in_schema=False)
async def order_status(request: Request, order_id: Id) -> Response:
    """Move one order (a refund reverses its points and restocks as the loyalty room says)."""
    c = ctx(request)
    fields = await form_fields(request, "status")
    note_audit(request, f"order {order_id} -> {fields['status']}")
    if fields["status"] not in (*ORDER_STATUSES, "delivered"):
        return html_response(frame(request, c.info, c.t("orders.title"),
                                   f'<p class="warn" role="alert">{h(c.t("orders.bad_status"))}</p>'), status=422)
    try:
        listeners = request.app.state.hooks.order_listeners
        if fields["status"] == "delivered":
            await to_thread.run_sync(lambda: service.mark_delivered(
                c.database, order_id, hold_days=c.settings.points_hold_days, listeners=listeners))
        else:
            await to_thread.run_sync(lambda: service.set_order_status(c.database, order_id, fields["status"],
                                                                      c.settings.points_hold_days, listeners=listeners))
    except (BadTransition, UnknownOrder) as exc:
        status, key = (404, "orders.unknown") if isinstance(exc, UnknownOrder) else (409, "orders.bad_transition")
        return html_response(frame(request, c.info, c.t("orders.title"),
                                   f'<p class="warn" role="alert">{h(c.t(key))}</p>'), status=status)
    return redirect("/admin/orders?done=status")


ORDER_ROUTES = [orders_page, order_status]
