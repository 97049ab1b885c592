"""`/admin/shoppers`: find a shopper by email or id; their tier, points, segment, devices and consents, email masked.

Revealing the email needs the reveal permission and a written reason; the reveal is audited with it.
"""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import Parameter

from accounts import report_store as accounts_reports
from accounts import store as accounts_store
from accounts.consents import PURPOSES
from accounts.consents import of as consents_of
from accounts.emails import normalise_email
from accounts.errors import BadAccountInput
from accounts.masking import mask_email
from loyalty import report_store as loyalty_reports
from loyalty import service as loyalty_service
from operators.roles import Permission
from operators.service import iso
from retention import audience_store, push_store
from server.http.params import Id
from server.http.reveal import REASON_MAX, REASON_MIN
from server.http.roles import PERMISSION
from server.pages.admin.common import Ctx, ctx, form_fields
from server.pages.admin.console import html_response, note_audit
from server.pages.admin.layout import csrf_field, frame, h, money, table


def _find(db, q: str) -> dict | None:
    q = q.strip()
    if q.isdigit() and len(q) < 19:
        return accounts_store.user_by_id(db, int(q))
    try:
        return accounts_store.user_by_email(db, normalise_email(q))
    except BadAccountInput:
        return None


def _detail(c: Ctx, user: dict, revealed: bool) -> str:
    database, uid = c.database, user["id"]
    db = database.read()
    points = loyalty_service.points(database, uid)
    scores = audience_store.get_scores(db, uid)
    devices = accounts_reports.shopper_devices(db, uid)
    subscriptions = push_store.user_subscriptions(db, uid)
    orders = loyalty_reports.recent_orders_of(db, uid, 10)
    email = user["email"] if revealed else mask_email(user["email"])
    reveal = ""
    if not revealed and c.info.principal.can(Permission.REVEAL):
        reveal = (
            f'<form class="inline" method="post" action="/admin/shoppers/{uid}/reveal">{csrf_field(c.info)}'
            f'<label for="reason">{h(c.t("shoppers.reason"))}</label>'
            f'<input id="reason" name="reason" required minlength="{REASON_MIN}" maxlength="{REASON_MAX}">'
            f'<button class="small" type="submit">{h(c.t("shoppers.reveal"))}</button></form>'
        )
    facts = table(c.t("shoppers.shopper", id=uid), [c.t("shoppers.field"), c.t("shoppers.value")], [
        [c.t("shoppers.email"), f'<span class="mono" data-email>{h(email)}</span> {reveal}'],
        [c.t("shoppers.since"), accounts_store_iso(user["created_at"])],
        [c.t("shoppers.tier"), c.t("tier." + points.tier)],
        [c.t("shoppers.points"), f"{points.balance} (+{points.pending} {c.t('shoppers.pending')})"],
        [c.t("shoppers.segment"), c.t("segment." + scores["segment"]) if scores else "—"],
        [c.t("shoppers.two_factor"), c.t("yes") if user.get("totp_enabled") else c.t("no")],
    ], raw=(1,))
    device_rows = [[d["id"], d["name"], accounts_store_iso(d["created_at"]), accounts_store_iso(d["last_used_at"])]
                   for d in devices]
    device_table = table(c.t("shoppers.devices"), [c.t("shoppers.device"), c.t("shoppers.device_name"),
                                                   c.t("shoppers.signed_in"), c.t("shoppers.last_used")],
                         device_rows, numeric=(0,))
    decided = consents_of(db, uid)
    purpose_rows = [[c.t("shoppers.purpose." + p),
                     (c.t("yes") if decided[p].granted else c.t("shoppers.withdrawn")) if p in decided else c.t("shoppers.never_asked"),
                     accounts_store_iso(decided[p].at // 1000) if p in decided else "—"] for p in PURPOSES]
    consents = table(c.t("shoppers.consents"), [c.t("shoppers.purpose"), c.t("shoppers.agreed"), c.t("shoppers.decided")],
                     purpose_rows)
    consent_rows = [[c.t("shoppers.consent.push"), s["consent_at"][:16].replace("T", " "), s["device_id"] or "—"]
                    for s in subscriptions]
    consents += table(c.t("shoppers.subscriptions"), [c.t("shoppers.purpose"), c.t("shoppers.given"),
                                                      c.t("shoppers.device")], consent_rows)
    order_rows = [[o["id"], c.t("status." + o["status"]), money(o["total"], o["currency"]), o["created_at"][:10]]
                  for o in orders]
    order_table = table(c.t("shoppers.orders"), [c.t("orders.id"), c.t("orders.status"), c.t("orders.total"),
                                                 c.t("orders.placed")], order_rows, numeric=(0, 2))
    return facts + device_table + consents + order_table


def accounts_store_iso(ts: int) -> str:
    """Unix seconds as the console shows them."""
    return (iso(ts) or "").replace("T", " ").rstrip("Z")


def _search_form(c: Ctx, q: str) -> str:
    return (
        f'<form class="inline" method="get" action="/admin/shoppers" role="search"><label for="q">{h(c.t("shoppers.find"))}</label>'
        f'<input id="q" name="q" value="{h(q)}" maxlength="254" required>'
        f'<button class="small" type="submit">{h(c.t("shoppers.search"))}</button></form>'
    )


@get("/admin/shoppers", opt={PERMISSION: Permission.SHOPPERS}, sync_to_thread=True, include_in_schema=False)
def shoppers_page(request: Request, q: Annotated[str, Parameter(max_length=254)] = "") -> Response:
    """The search form and, when a shopper matched, their record with the email masked."""
    c = ctx(request)
    body = _search_form(c, q)
    if q:
        user = _find(c.database.read(), q)
        body += _detail(c, user, revealed=False) if user else f'<p class="warn" role="status">{h(c.t("shoppers.none"))}</p>'
    return html_response(frame(request, c.info, c.t("shoppers.title"), body))


@post("/admin/shoppers/{user_id:int}/reveal", opt={PERMISSION: Permission.REVEAL}, include_in_schema=False)
async def reveal(request: Request, user_id: Id) -> Response:
    """Show one shopper's email once, for the reason given; the audit line carries the reason."""
    c = ctx(request)
    reason = (await form_fields(request, "reason"))["reason"].strip()[:REASON_MAX]
    note_audit(request, f"shopper {user_id} email revealed; reason: {reason}")
    if len(reason) < REASON_MIN:
        body = f'<p class="warn" role="alert">{h(c.t("shoppers.reason_needed"))}</p>'
        return html_response(frame(request, c.info, c.t("shoppers.title"), body), status=422)
    user = await to_thread.run_sync(lambda: accounts_store.user_by_id(c.database.read(), user_id))
    if user is None:
        return html_response(frame(request, c.info, c.t("shoppers.title"),
                                   f'<p class="warn">{h(c.t("shoppers.none"))}</p>'), status=404)
    detail = await to_thread.run_sync(_detail, c, user, True)
    return html_response(frame(request, c.info, c.t("shoppers.title"), _search_form(c, "") + detail,
                               flash=c.t("done.revealed")))


SHOPPER_ROUTES = [shoppers_page, reveal]
