"""`/admin/rewards`: the points mall's rewards: add one, change cost, stock and whether it is offered."""

from __future__ import annotations

import re

import msgspec
from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import FromPath

from loyalty import service
from loyalty.errors import BadReward, DuplicateReward, LoyaltyError, UnknownReward
from loyalty.models import RewardInput, RewardPatch
from operators.roles import Permission
from server.http.roles import PERMISSION
from server.pages.admin.common import Ctx, ctx, form_fields, parse_int, refused
from server.pages.admin.console import html_response, note_audit, redirect
from server.pages.admin.layout import csrf_field, frame, h, money, options, table

FIELD_LABELS = {"id": "rewards.id", "name": "rewards.name", "kind": "rewards.kind", "pointsCost": "rewards.cost",
                "stock": "rewards.stock", "value": "rewards.coupon_value", "currency": "rewards.currency",
                "sku": "rewards.sku"}
"""The form's label of each RewardInput field a refusal can name."""
WHERE = re.compile(r"at `\$\.(\w+)")


def _why(c: Ctx, exc: Exception, reward_id: str) -> str:
    """Why a reward was refused, in the operator's language: the loyalty room's code, or the field msgspec names
    (never the English detail, which stays the API's)."""
    if isinstance(exc, BadReward):
        return c.t(f"rewards.refused.{exc.code}", **exc.params)
    if isinstance(exc, (DuplicateReward, UnknownReward)):
        return c.t(f"rewards.refused.{exc.code}", id=reward_id)
    where = WHERE.search(str(exc)) if isinstance(exc, msgspec.ValidationError) else None
    if where and where.group(1) in FIELD_LABELS:
        return c.t("rewards.refused.field", field=c.t(FIELD_LABELS[where.group(1)]))
    return c.t("rewards.refused.other")


@get("/admin/rewards", opt={PERMISSION: Permission.REWARDS}, sync_to_thread=True, include_in_schema=False)
def rewards_page(request: Request) -> Response:
    """Every reward with an edit form, and the form for a new one."""
    c = ctx(request)
    rows = []
    for r in service.rewards(c.database, active_only=False):
        label = h(c.t("rewards.edit", name=r.name))
        edit = (
            f'<form class="inline" method="post" action="/admin/rewards/{h(r.id)}" aria-label="{label}">{csrf_field(c.info)}'
            f'<input name="pointsCost" value="{r.points_cost}" size="6" inputmode="numeric" aria-label="{h(c.t("rewards.cost"))}">'
            f'<input type="hidden" name="stock_was" value="{r.stock}">'
            f'<input name="stock" value="{r.stock}" size="5" inputmode="numeric" aria-label="{h(c.t("rewards.stock"))}">'
            f'<select name="active" aria-label="{h(c.t("rewards.active"))}">'
            f'{options([("1", c.t("yes")), ("0", c.t("no"))], "1" if r.active else "0")}</select>'
            f'<button class="small" type="submit">{h(c.t("save"))}</button></form>'
        )
        value = money(r.value, r.currency or "") if r.kind == "coupon" else (r.sku or "")
        rows.append([r.id, r.name, c.t("rewards.kind." + r.kind), value, r.points_cost, r.stock,
                     c.t("yes") if r.active else c.t("no"), edit])
    listing = table(c.t("rewards.title"),
                    [c.t("rewards.id"), c.t("rewards.name"), c.t("rewards.kind"), c.t("rewards.value"),
                     c.t("rewards.cost"), c.t("rewards.stock"), c.t("rewards.active"), c.t("rewards.change")],
                    rows, numeric=(4, 5), raw=(7,))
    field = lambda name, key, extra="": (  # noqa: E731 - a local shorthand for the form below
        f'<label for="new-{name}">{h(c.t(key))}</label><input id="new-{name}" name="{name}" {extra}>')
    create = (
        f'<h2>{h(c.t("rewards.new"))}</h2><form class="stack" method="post" action="/admin/rewards">{csrf_field(c.info)}'
        + field("id", "rewards.id", 'required maxlength="48" pattern="[a-z0-9][a-z0-9\\-]*"')
        + field("name", "rewards.name", 'required maxlength="120"')
        + f'<label for="new-kind">{h(c.t("rewards.kind"))}</label><select id="new-kind" name="kind">'
        + options([("coupon", c.t("rewards.kind.coupon")), ("product", c.t("rewards.kind.product"))]) + "</select>"
        + field("pointsCost", "rewards.cost", 'required inputmode="numeric"')
        + field("stock", "rewards.stock", 'required inputmode="numeric"')
        + field("value", "rewards.coupon_value", 'inputmode="numeric" value="0"')
        + field("currency", "rewards.currency", 'maxlength="3" value="EUR"')
        + field("sku", "rewards.sku", 'maxlength="64"')
        + f'<button type="submit">{h(c.t("rewards.add"))}</button></form>'
    )
    return html_response(frame(request, c.info, c.t("rewards.title"), listing + create, flash=c.flash))


@post("/admin/rewards", opt={PERMISSION: Permission.REWARDS}, include_in_schema=False)
async def add_reward(request: Request) -> Response:
    """Create a reward from the form (the loyalty room checks it)."""
    c = ctx(request)
    f = await form_fields(request, "id", "name", "kind", "pointsCost", "stock", "value", "currency", "sku")
    note_audit(request, f"reward {f['id'][:48]}")
    numbers = {k: parse_int(f[k] or "0", 0, 100_000_000) for k in ("pointsCost", "stock", "value")}
    if None in numbers.values():
        return refused(c, "rewards", c.t("rewards.numbers"))
    raw = {"id": f["id"], "name": f["name"], "kind": f["kind"], **numbers,
           "currency": f["currency"] or None if f["kind"] == "coupon" else None,
           "sku": f["sku"] or None if f["kind"] == "product" else None}
    try:
        data = msgspec.convert(raw, RewardInput)
        await to_thread.run_sync(service.create_reward, c.database, data)
    except (msgspec.ValidationError, LoyaltyError) as exc:
        return refused(c, "rewards", _why(c, exc, f["id"][:48]))
    return redirect("/admin/rewards?done=created")


@post("/admin/rewards/{reward_id:str}", opt={PERMISSION: Permission.REWARDS}, include_in_schema=False)
async def edit_reward(request: Request, reward_id: FromPath[str]) -> Response:
    """Change a reward's cost, stock and whether it is offered."""
    c = ctx(request)
    f = await form_fields(request, "pointsCost", "stock", "active", "stock_was")
    note_audit(request, f"reward {reward_id[:48]}: cost {f['pointsCost'][:12]}, stock {f['stock'][:12]}, active {f['active'][:1]}")
    cost, stock = parse_int(f["pointsCost"], 1, 10_000_000), parse_int(f["stock"], 0, 1_000_000)
    if cost is None or stock is None or f["active"] not in ("0", "1"):
        return refused(c, "rewards", c.t("rewards.numbers"))
    try:
        # A stock left as the page showed it is not written back: redemptions since then took units from the live one.
        unchanged = parse_int(f["stock_was"], 0, 1_000_000) == stock
        patch = RewardPatch(points_cost=cost, stock=None if unchanged else stock, active=f["active"] == "1")
        await to_thread.run_sync(service.update_reward, c.database, reward_id[:48], patch)
    except LoyaltyError as exc:
        return refused(c, "rewards", _why(c, exc, reward_id[:48]), status=404 if isinstance(exc, UnknownReward) else 422)
    return redirect("/admin/rewards?done=saved")


REWARD_ROUTES = [rewards_page, add_reward, edit_reward]
