"""`/admin/campaigns`: build a campaign (trigger, audience, offer, A/B variants), preview the audience, activate, report."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import Parameter

from operators.roles import Permission
from retention import campaign_store, report_store
from retention.errors import BadCampaign, RetentionError
from retention.holiday_names import holiday_name
from retention.models import SEGMENTS, TRIGGERS, CampaignIn
from retention.planner import campaign_from_row, create_campaign, get_campaign
from retention.tracking import report
from server.http.params import Id
from server.http.roles import PERMISSION
from server.pages.admin.common import Ctx, ctx, form_fields, parse_int, refused
from server.pages.admin.console import html_response, note_audit, redirect
from server.pages.admin.layout import csrf_field, frame, h, money, options, table
from server.wiring import holiday_names

SEGMENT_PATTERN = r"^(loyal|churn_risk|price_sensitive|new_explorer|regular)$"
FIELD_LABELS = {"name": "campaigns.name", "trigger": "campaigns.trigger", "segment": "campaigns.audience",
                "holiday": "campaigns.holiday", "holdout": "campaigns.holdout", "variants": "campaigns.variants"}
"""The builder's label of each CampaignIn field a refusal can name."""
WHERE = re.compile(r"at `\$\.(\w+)(?:\[(\d+)\])?")


def _why(c: Ctx, exc: Exception, variants: list[dict]) -> str:
    """Why a campaign was refused, in the operator's language: the domain's code, or the field msgspec names."""
    if isinstance(exc, BadCampaign):
        return c.t(f"campaigns.refused.{exc.code}", **exc.params)
    where = WHERE.search(str(exc)) if isinstance(exc, msgspec.ValidationError) else None
    field, index = where.groups() if where else (None, None)
    if field == "variants" and index is not None:
        return c.t("campaigns.refused.field", field=c.t("campaigns.variant", name=variants[int(index)]["name"]))
    if field in FIELD_LABELS:
        return c.t("campaigns.refused.field", field=c.t(FIELD_LABELS[field]))
    return c.t("campaigns.refused.other")


def _holiday_name(c: Ctx, key: str, name: str) -> str:
    """A known holiday's name in the operator's language if stored in English (as seed-demo does), else as stored:
    the rule and the texts (messages/holidays.json) shoppers' messages use."""
    return holiday_name(holiday_names, c.locale, key, name)


def _holiday_label(c: Ctx, calendar: dict[str, str], trigger: str, key: str | None) -> str:
    """What a campaign's holiday reads as in the list: the calendar's name (its key if the calendar lacks it)."""
    if trigger != "holiday":
        return "—"
    if key is None:
        return c.t("campaigns.any_holiday")
    return f"{calendar[key]} ({key})" if key in calendar else key


def _builder(c: Ctx, offers: list[dict], segment: str | None, calendar: dict[str, str]) -> str:
    holiday_opts = options([("", c.t("campaigns.any_holiday"))] + [(k, f"{n} ({k})") for k, n in calendar.items()])
    offer_opts = options([("", c.t("campaigns.no_offer"))] + [(str(o["id"]), f'{o["code"]} · {o["title"]}') for o in offers])
    segment_opts = options([("", c.t("campaigns.everyone"))] + [(s, c.t("segment." + s)) for s in SEGMENTS], segment)
    trigger_opts = options([(t, c.t("trigger." + t)) for t in TRIGGERS])
    variant = lambda v, required: (  # noqa: E731 - one variant's fields, twice
        f'<fieldset><legend>{h(c.t("campaigns.variant", name=v))}</legend>'
        f'<label for="{v}-template">{h(c.t("campaigns.template"))}</label>'
        f'<input id="{v}-template" name="{v}_template" maxlength="64" {"required" if required else ""} '
        f'pattern="[a-z0-9][a-z0-9_.\\-]*">'
        f'<label for="{v}-offer">{h(c.t("campaigns.offer"))}</label><select id="{v}-offer" name="{v}_offer">{offer_opts}</select>'
        f'<label for="{v}-weight">{h(c.t("campaigns.weight"))}</label>'
        f'<input id="{v}-weight" name="{v}_weight" value="1" inputmode="numeric" maxlength="4"></fieldset>'
    )
    return (
        f'<h2>{h(c.t("campaigns.new"))}</h2><form class="stack" method="post" action="/admin/campaigns">{csrf_field(c.info)}'
        f'<label for="c-name">{h(c.t("campaigns.name"))}</label><input id="c-name" name="name" required maxlength="120">'
        f'<label for="c-trigger">{h(c.t("campaigns.trigger"))}</label><select id="c-trigger" name="trigger">{trigger_opts}</select>'
        f'<label for="c-segment">{h(c.t("campaigns.audience"))}</label><select id="c-segment" name="segment">{segment_opts}</select>'
        + f'<label for="c-holiday">{h(c.t("campaigns.holiday"))}</label>'
        f'<select id="c-holiday" name="holiday" aria-describedby="c-holiday-help">{holiday_opts}</select>'
        f'<p class="muted" id="c-holiday-help">{h(c.t("campaigns.holiday_help"))}</p>'
        + variant("A", True) + variant("B", False)
        + f'<label for="c-holdout">{h(c.t("campaigns.holdout"))}</label>'
        f'<input id="c-holdout" name="holdout" value="0" inputmode="numeric" maxlength="2" '
        f'aria-describedby="c-holdout-help"><p class="muted" id="c-holdout-help">{h(c.t("campaigns.holdout_help"))}</p>'
        + f'<button type="submit">{h(c.t("campaigns.create"))}</button></form>'
    )


def _arm(c: Ctx, r) -> str:
    name = c.t("campaigns.holdout_arm") if r.holdout else (r.variant or "—")
    return name + (f" ({c.t('campaigns.winner')})" if r.winner else "")


def _lift(c: Ctx, r) -> str:
    if r.lift_p_value is not None:
        return f"{r.lift_p_value:.4f}"
    return c.t("campaigns.baseline") if r.baseline else "—"


@get("/admin/campaigns", opt={PERMISSION: Permission.CAMPAIGNS}, sync_to_thread=True, include_in_schema=False)
def campaigns_page(
    request: Request, segment: Annotated[str | None, Parameter(pattern=SEGMENT_PATTERN)] = None,
) -> Response:
    """Campaigns with their switch, the funnel per variant, the audience preview and the builder."""
    c = ctx(request)
    with c.database.snapshot() as db:
        campaigns = [campaign_from_row(r) for r in campaign_store.list_campaigns(db)]
        offers = campaign_store.list_offers(db)
        calendar = {r["key"]: _holiday_name(c, r["key"], r["name"]) for r in campaign_store.list_holidays(db)}
        rows = report(db)
        shoppers, reachable = report_store.audience_size(db, segment)
    listing = []
    for camp in campaigns:
        target = "0" if camp.active else "1"
        label = c.t("campaigns.deactivate") if camp.active else c.t("campaigns.activate")
        switch = (f'<form class="inline" method="post" action="/admin/campaigns/{camp.id}/active">{csrf_field(c.info)}'
                  f'<input type="hidden" name="active" value="{target}">'
                  f'<button class="small" type="submit" aria-label="{h(label)}: {h(camp.name)}">{h(label)}</button></form>')
        listing.append([camp.id, camp.name, c.t("trigger." + camp.trigger),
                        c.t("segment." + camp.segment) if camp.segment else c.t("campaigns.everyone"),
                        _holiday_label(c, calendar, camp.trigger, camp.holiday),
                        ", ".join(f"{v.name}:{v.template_key}" for v in camp.variants),
                        c.t("yes") if camp.active else c.t("no"), switch])
    body = table(c.t("campaigns.title"), [c.t("campaigns.id"), c.t("campaigns.name"), c.t("campaigns.trigger"),
                                          c.t("campaigns.audience"), c.t("campaigns.holiday_col"),
                                          c.t("campaigns.variants"), c.t("campaigns.active"), c.t("campaigns.switch")],
                 listing, numeric=(0,), raw=(7,))
    funnel = [[c.t("campaigns.triggers_row") if r.campaign_id == 0 else r.campaign, _arm(c, r), r.messages, r.sent, r.accepted, r.shown, r.clicked, r.redeemed,
               f"{r.conversion:.1%} ({r.conversion_low:.1%}–{r.conversion_high:.1%})", _lift(c, r),
               money(r.revenue), money(r.discount), "—" if r.roi is None else f"{r.roi:.2f}"]
              for r in rows]
    body += table(c.t("campaigns.report"), [c.t("campaigns.campaign"), c.t("campaigns.variant_col"),
                                            c.t("funnel.messages"), c.t("funnel.sent"), c.t("funnel.accepted"),
                                            c.t("funnel.shown"), c.t("funnel.clicked"), c.t("funnel.redeemed"),
                                            c.t("funnel.conversion_interval"), c.t("funnel.lift_p"),
                                            c.t("funnel.revenue"), c.t("funnel.discount"), c.t("funnel.roi")],
                  funnel, numeric=tuple(range(2, 13)))
    body += f'<p class="muted">{h(c.t("campaigns.winner_rule"))}</p>'
    preview_opts = options([("", c.t("campaigns.everyone"))] + [(s, c.t("segment." + s)) for s in SEGMENTS], segment)
    body += (
        f'<h2>{h(c.t("campaigns.preview"))}</h2><form class="inline" method="get" action="/admin/campaigns">'
        f'<label for="p-segment">{h(c.t("campaigns.audience"))}</label><select id="p-segment" name="segment">{preview_opts}</select>'
        f'<button class="small" type="submit">{h(c.t("campaigns.preview_button"))}</button></form>'
        f'<p role="status" id="audience-size">{h(c.t("campaigns.audience_size", shoppers=shoppers, reachable=reachable))}</p>'
    )
    body += _builder(c, offers, segment, calendar)
    return html_response(frame(request, c.info, c.t("campaigns.title"), body, flash=c.flash))


@post("/admin/campaigns", opt={PERMISSION: Permission.CAMPAIGNS}, include_in_schema=False)
async def add_campaign(request: Request) -> Response:
    """Create a campaign from the builder (inactive until switched on, so it can be reviewed first)."""
    c = ctx(request)
    f = await form_fields(request, "name", "trigger", "segment", "A_template", "A_offer", "A_weight",
                          "B_template", "B_offer", "B_weight", "holdout", "holiday")
    note_audit(request, f"campaign {f['name'][:60]} ({f['trigger'][:30]})")
    variants = []
    for v in ("A", "B"):
        if not f[f"{v}_template"]:
            continue
        weight = parse_int(f[f"{v}_weight"] or "1", 1, 1000)
        offer = parse_int(f[f"{v}_offer"], 1, 2**62) if f[f"{v}_offer"] else None
        if weight is None or (f[f"{v}_offer"] and offer is None):
            return refused(c, "campaigns", c.t("campaigns.bad_variant", name=v))
        variants.append({"name": v, "templateKey": f[f"{v}_template"], "weight": weight, "offerId": offer})
    holdout = parse_int(f["holdout"] or "0", 0, 50)
    if holdout is None:
        return refused(c, "campaigns", c.t("campaigns.bad_holdout"))
    raw = {"name": f["name"], "trigger": f["trigger"], "segment": f["segment"] or None, "variants": variants,
           "active": False, "holdout": holdout, "holiday": f["holiday"] or None}
    # The holiday goes through CampaignIn and create_campaign as the API's does: the same key pattern, the same
    # "holiday campaigns only" rule, and a key the calendar does not hold (yet) is accepted there too.
    try:
        data = msgspec.convert(raw, CampaignIn)

        def create() -> None:
            with c.database.write() as db:
                create_campaign(db, data)

        await to_thread.run_sync(create)
    except (msgspec.ValidationError, RetentionError) as exc:
        return refused(c, "campaigns", _why(c, exc, variants))
    return redirect("/admin/campaigns?done=created")


@post("/admin/campaigns/{campaign_id:int}/active", opt={PERMISSION: Permission.CAMPAIGNS}, include_in_schema=False)
async def set_active(request: Request, campaign_id: Id) -> Response:
    """Switch a campaign on or off."""
    c = ctx(request)
    active = (await form_fields(request, "active"))["active"] == "1"
    note_audit(request, f"campaign {campaign_id} {'on' if active else 'off'}")

    def switch() -> None:
        with c.database.write() as db:
            get_campaign(db, campaign_id)
            campaign_store.set_campaign_active(db, campaign_id, active)

    try:
        await to_thread.run_sync(switch)
    except RetentionError:
        return refused(c, "campaigns", c.t("campaigns.refused.unknown-campaign", id=campaign_id), status=404)
    return redirect(f"/admin/campaigns?done={'activated' if active else 'deactivated'}")


CAMPAIGN_ROUTES = [campaigns_page, add_campaign, set_active]
