"""Operator routes for retention: offers, templates, campaigns, segments and scores, the report."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

import msgspec
from litestar import Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter, PathParameter

from accounts import service as accounts_service
from clock import iso, now
from operators.roles import Permission
from retention import audience_store, campaign_store, planner, template_library
from retention.audience import check_holiday, preview, segment_summaries
from retention.customers import CustomerModel
from retention.errors import UnknownShopper
from retention.models import (
    AudiencePreview,
    AudienceQuery,
    Campaign,
    CampaignIn,
    Offer,
    OfferIn,
    ReportRow,
    Holiday,
    HolidayIn,
    Scores,
    SegmentSummary,
    Template,
    TemplateIn,
)
from retention.offers import create_offer, get_offer, offer_from_row
from retention.planner import campaign_from_row, create_campaign, get_campaign, save_template
from retention.tracking import report
from server.api.admin import AdminController
from server.db import Database
from server.http.api_description import problems
from server.http.params import After, Id
from server.http.roles import PERMISSION
from server.http.reveal import ReasonParam, RevealParam, reveal_for


class CampaignActive(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Start or stop a campaign."""

    active: bool


TagPath = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$", description="a lower-case slug")]


def _scores(rows: list[dict], emails: dict[int, str]) -> list[Scores]:
    fields = [k for k in Scores.__struct_fields__ if k != "email"]
    return [Scores(**{k: row[k] for k in fields}, email=emails.get(row["user_id"])) for row in rows]


class AdminRetentionController(AdminController):
    """`/api/admin/retention/...`: campaigns and templates (campaigns), offers, segments and scores, the report."""

    path = "/api/admin/retention"
    opt = {PERMISSION: Permission.CAMPAIGNS}
    tags = ["admin", "retention"]

    @get("/offers", sync_to_thread=True, opt={PERMISSION: Permission.OFFERS}, summary="Every offer",
         responses=problems(401, 403))
    def list_offers(self, database: NamedDependency[Database]) -> list[Offer]:
        """Every offer with its spent budget and redemptions."""
        return [offer_from_row(r) for r in campaign_store.list_offers(database.read())]

    @post("/offers", sync_to_thread=True, opt={PERMISSION: Permission.OFFERS}, status_code=201, summary="Add an offer",
          responses=problems(400, 401, 403, 409, 413, 422))
    def add_offer(self, data: JSONBody[OfferIn], database: NamedDependency[Database]) -> Offer:
        """A new offer (coupon code, discount, expiry, target segment, budget)."""
        with database.write() as db:
            return create_offer(db, data, datetime.now(timezone.utc))

    @get("/offers/{offer_id:int}", sync_to_thread=True, opt={PERMISSION: Permission.OFFERS}, summary="One offer",
         responses=problems(400, 401, 403, 404))
    def one_offer(self, offer_id: Id, database: NamedDependency[Database]) -> Offer:
        """One offer."""
        return get_offer(database.read(), offer_id)

    @get("/templates", sync_to_thread=True, summary="Every message template", responses=problems(401, 403))
    def list_templates(self, database: NamedDependency[Database]) -> list[Template]:
        """The operator's stored templates, then the built-in library (every trigger and the holidays, each key in
        en and zh-CN; a stored key wins over the library's)."""
        stored = [msgspec.convert(r, Template) for r in campaign_store.list_templates(database.read())]
        return stored + template_library.library()

    @put("/templates", sync_to_thread=True, summary="Store a message template", responses=problems(400, 401, 403, 413, 422))
    def put_template(self, data: JSONBody[TemplateIn], database: NamedDependency[Database]) -> Template:
        """Store or replace the template of (key, locale)."""
        with database.write() as db:
            return save_template(db, data)

    @delete("/templates/{template_id:int}", sync_to_thread=True, summary="Delete a message template",
            responses=problems(400, 401, 403, 404))
    def delete_template(self, template_id: Id, database: NamedDependency[Database]) -> None:
        """Delete one template."""
        with database.write() as db:
            planner.delete_template(db, template_id)

    @get("/campaigns", sync_to_thread=True, summary="Every campaign", responses=problems(401, 403))
    def list_campaigns(self, database: NamedDependency[Database]) -> list[Campaign]:
        """Every campaign."""
        return [campaign_from_row(r) for r in campaign_store.list_campaigns(database.read())]

    @post("/campaigns", sync_to_thread=True, status_code=201, summary="Add a campaign",
          responses=problems(400, 401, 403, 404, 413, 422))
    def add_campaign(self, data: JSONBody[CampaignIn], database: NamedDependency[Database]) -> Campaign:
        """A new campaign with its A/B variants."""
        with database.write() as db:
            return create_campaign(db, data)

    @get("/campaigns/{campaign_id:int}", sync_to_thread=True, summary="One campaign", responses=problems(400, 401, 403, 404))
    def one_campaign(self, campaign_id: Id, database: NamedDependency[Database]) -> Campaign:
        """One campaign."""
        return get_campaign(database.read(), campaign_id)

    @put("/campaigns/{campaign_id:int}/active", sync_to_thread=True, summary="Start or stop a campaign",
         responses=problems(400, 401, 403, 404, 413))
    def set_active(self, campaign_id: Id, data: JSONBody[CampaignActive], database: NamedDependency[Database]) -> Campaign:
        """Start or stop a campaign."""
        with database.write() as db:
            get_campaign(db, campaign_id)
            campaign_store.set_campaign_active(db, campaign_id, data.active)
            return get_campaign(db, campaign_id)

    @get("/segments", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS}, summary="Segments and their figures",
         responses=problems(401, 403))
    def segments(self, database: NamedDependency[Database]) -> list[SegmentSummary]:
        """Per segment (as of the last `lastmile retention run`): shoppers, share, repurchase rate, AOV."""
        return segment_summaries(database.read())

    @post("/audience-preview", sync_to_thread=True, status_code=200, summary="Preview an audience's size",
          responses=problems(400, 401, 403, 413, 422))
    def audience_preview(self, data: JSONBody[AudienceQuery], database: NamedDependency[Database]) -> AudiencePreview:
        """How many shoppers an audience (segment and/or rules) holds now, before a campaign goes live."""
        with database.snapshot() as db:
            return preview(db, data)

    @get("/customers/{user_id:int}", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS}, summary="One customer model",
         responses=problems(400, 401, 403, 404))
    def customer(self, user_id: Id, database: NamedDependency[Database]) -> CustomerModel:
        """One shopper's customer model: AOV, repurchase rate, LTV, churn signals, returns, tags."""
        row = audience_store.get_customer(database.read(), user_id)
        if row is None:
            raise UnknownShopper(f"no customer model for shopper {user_id} (run `lastmile retention run`)")
        return msgspec.json.decode(row["model"], type=CustomerModel)

    @put("/customers/{user_id:int}/tags/{tag:str}", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS},
         summary="Tag a shopper", responses=problems(400, 401, 403, 404))
    def add_tag(self, user_id: Id, tag: TagPath, database: NamedDependency[Database]) -> list[str]:
        """Tag a shopper by hand (e.g. mother-and-baby); rules see it from the next run. The shopper's tags."""
        with database.write() as db:
            if not accounts_service.shopper_exists(db, user_id):
                raise UnknownShopper(f"there is no shopper {user_id}")
            audience_store.add_tag(db, user_id, tag, iso(now()))
            return audience_store.tags_of(db, [user_id])[user_id]

    @delete("/customers/{user_id:int}/tags/{tag:str}", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS},
            summary="Remove a shopper's tag", responses=problems(400, 401, 403, 404))
    def remove_tag(self, user_id: Id, tag: TagPath, database: NamedDependency[Database]) -> None:
        """Remove an operator's tag."""
        with database.write() as db:
            if not audience_store.remove_tag(db, user_id, tag):
                raise UnknownShopper(f"shopper {user_id} has no tag {tag}")

    @get("/holidays", sync_to_thread=True, summary="The holiday calendar", responses=problems(401, 403))
    def list_holidays(self, database: NamedDependency[Database]) -> list[Holiday]:
        """The holiday calendar the holiday trigger follows."""
        return [Holiday(key=r["key"], name=r["name"], date=r["date"], lead_days=r["lead_days"])
                for r in campaign_store.list_holidays(database.read())]

    @put("/holidays/{key:str}", sync_to_thread=True, summary="Set a holiday", responses=problems(400, 401, 403, 413, 422))
    def put_holiday(self, key: TagPath, data: JSONBody[HolidayIn], database: NamedDependency[Database]) -> Holiday:
        """Set one holiday's date (e.g. 618, double11, spring_festival) and how many days before it fires."""
        check_holiday(data)
        with database.write() as db:
            campaign_store.put_holiday(db, key, data.name, data.date, data.lead_days)
        return Holiday(key=key, name=data.name, date=data.date, lead_days=data.lead_days)

    @delete("/holidays/{key:str}", sync_to_thread=True, summary="Take a holiday off the calendar",
            responses=problems(400, 401, 403, 404))
    def delete_holiday(self, key: TagPath, database: NamedDependency[Database]) -> None:
        """Take a holiday off the calendar."""
        with database.write() as db:
            planner.delete_holiday(db, key)

    @get("/scores", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS}, summary="Shoppers' RFM scores",
         responses=problems(400, 401, 403))
    def scores(
        self,
        request: Request,
        database: NamedDependency[Database],
        segment: Annotated[str | None, Parameter(pattern=r"^(loyal|churn_risk|price_sensitive|new_explorer|regular)$")] = None,
        after: After = 0,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        reveal: RevealParam = False,
        reason: ReasonParam = None,
    ) -> list[Scores]:
        """Shoppers' RFM scores and segment in user id order (page with `after` = the last userId); emails masked
        unless revealed with a reason (audited)."""
        who = reveal_for(request, reveal, reason)
        rows = audience_store.list_scores(database.read(), segment=segment, after=after, limit=limit)
        return _scores(rows, accounts_service.shopper_emails(database, [r["user_id"] for r in rows], who))

    @get("/scores/{user_id:int}", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS}, summary="One shopper's scores",
         responses=problems(400, 401, 403, 404))
    def shopper_scores(
        self, request: Request, user_id: Id, database: NamedDependency[Database], reveal: RevealParam = False,
        reason: ReasonParam = None,
    ) -> Scores:
        """One shopper's scores and segment; the email masked unless revealed with a reason (audited)."""
        who = reveal_for(request, reveal, reason)
        row = audience_store.get_scores(database.read(), user_id)
        if row is None:
            raise UnknownShopper(f"no scores for shopper {user_id} (run `lastmile retention run`)")
        return _scores([row], accounts_service.shopper_emails(database, [user_id], who))[0]

    @get("/report", sync_to_thread=True, opt={PERMISSION: Permission.REPORTS}, summary="Campaign results",
         responses=problems(401, 403))
    def report(self, database: NamedDependency[Database]) -> list[ReportRow]:
        """Sent, accepted, shown, clicked, redeemed; conversion and ROI per campaign and variant."""
        with database.snapshot() as db:
            return report(db)
