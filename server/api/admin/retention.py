"""Operator routes for retention: offers, templates, campaigns, segments and scores, the report."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from operators.roles import Permission
from accounts import service as accounts_service
from retention import audience_store, campaign_store
from retention.errors import UnknownShopper, UnknownTemplate
from retention.models import (
    SEGMENTS,
    Campaign,
    CampaignIn,
    Offer,
    OfferIn,
    ReportRow,
    Scores,
    Template,
    TemplateIn,
)
from retention.offers import create_offer, get_offer, offer_from_row
from retention.planner import (
    campaign_from_row,
    create_campaign,
    get_campaign,
    save_template,
)
from retention.tracking import report
from server.db import Database
from server.http.params import After, Id
from server.http.roles import PERMISSION, role_guard
from server.http.reveal import reveal_for


class CampaignActive(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Start or stop a campaign."""

    active: bool


class SegmentCount(msgspec.Struct, rename="camel"):
    """How many shoppers a segment holds."""

    segment: str
    shoppers: int


def _scores(rows: list[dict], emails: dict[int, str]) -> list[Scores]:
    fields = [k for k in Scores.__struct_fields__ if k != "email"]
    return [Scores(**{k: row[k] for k in fields}, email=emails.get(row["user_id"])) for row in rows]


RevealParam = Annotated[bool, Parameter(description="show emails in full (owner and support roles; audited)")]


class AdminRetentionController(Controller):
    """`/api/admin/retention/...`: campaigns and templates (campaigns), offers, segments and scores, the report."""

    path = "/api/admin/retention"
    guards = [role_guard]
    opt = {PERMISSION: Permission.CAMPAIGNS}
    tags = ["admin", "retention"]

    @get("/offers", sync_to_thread=True, opt={PERMISSION: Permission.OFFERS})
    def list_offers(self, database: NamedDependency[Database]) -> list[Offer]:
        """Every offer with its spent budget and redemptions."""
        return [offer_from_row(r) for r in campaign_store.list_offers(database.read())]

    @post("/offers", sync_to_thread=True, opt={PERMISSION: Permission.OFFERS}, status_code=201)
    def add_offer(self, data: JSONBody[OfferIn], database: NamedDependency[Database]) -> Offer:
        """A new offer (coupon code, discount, expiry, target segment, budget)."""
        with database.write() as db:
            return create_offer(db, data, datetime.now(timezone.utc))

    @get("/offers/{offer_id:int}", sync_to_thread=True, opt={PERMISSION: Permission.OFFERS})
    def one_offer(self, offer_id: Id, database: NamedDependency[Database]) -> Offer:
        """One offer."""
        return get_offer(database.read(), offer_id)

    @get("/templates", sync_to_thread=True)
    def list_templates(self, database: NamedDependency[Database]) -> list[Template]:
        """Every stored template (built-in English defaults are used for keys without one)."""
        return [msgspec.convert(r, Template) for r in campaign_store.list_templates(database.read())]

    @put("/templates", sync_to_thread=True)
    def put_template(self, data: JSONBody[TemplateIn], database: NamedDependency[Database]) -> Template:
        """Store or replace the template of (key, locale)."""
        with database.write() as db:
            return save_template(db, data)

    @delete("/templates/{template_id:int}", sync_to_thread=True)
    def delete_template(self, template_id: Id, database: NamedDependency[Database]) -> None:
        """Delete one template."""
        with database.write() as db:
            if not campaign_store.delete_template(db, template_id):
                raise UnknownTemplate(f"there is no template {template_id}")

    @get("/campaigns", sync_to_thread=True)
    def list_campaigns(self, database: NamedDependency[Database]) -> list[Campaign]:
        """Every campaign."""
        return [campaign_from_row(r) for r in campaign_store.list_campaigns(database.read())]

    @post("/campaigns", sync_to_thread=True, status_code=201)
    def add_campaign(self, data: JSONBody[CampaignIn], database: NamedDependency[Database]) -> Campaign:
        """A new campaign with its A/B variants."""
        with database.write() as db:
            return create_campaign(db, data)

    @get("/campaigns/{campaign_id:int}", sync_to_thread=True)
    def one_campaign(self, campaign_id: Id, database: NamedDependency[Database]) -> Campaign:
        """One campaign."""
        return get_campaign(database.read(), campaign_id)

    @put("/campaigns/{campaign_id:int}/active", sync_to_thread=True)
    def set_active(self, campaign_id: Id, data: JSONBody[CampaignActive], database: NamedDependency[Database]) -> Campaign:
        """Start or stop a campaign."""
        with database.write() as db:
            get_campaign(db, campaign_id)
            campaign_store.set_campaign_active(db, campaign_id, data.active)
            return get_campaign(db, campaign_id)

    @get("/segments", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS})
    def segments(self, database: NamedDependency[Database]) -> list[SegmentCount]:
        """Shoppers per segment (as of the last `lastmile retention run`)."""
        counts = audience_store.segment_counts(database.read())
        return [SegmentCount(segment=s, shoppers=counts.get(s, 0)) for s in SEGMENTS]

    @get("/scores", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS})
    def scores(
        self,
        request: Request,
        database: NamedDependency[Database],
        segment: Annotated[str | None, Parameter(pattern=r"^(loyal|churn_risk|price_sensitive|new_explorer|regular)$")] = None,
        after: After = 0,
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
        reveal: RevealParam = False,
    ) -> list[Scores]:
        """Shoppers' RFM scores and segment in user id order (page with `after` = the last userId); emails masked."""
        who = reveal_for(request, reveal)
        rows = audience_store.list_scores(database.read(), segment=segment, after=after, limit=limit)
        return _scores(rows, accounts_service.shopper_emails(database, [r["user_id"] for r in rows], who))

    @get("/scores/{user_id:int}", sync_to_thread=True, opt={PERMISSION: Permission.SEGMENTS})
    def shopper_scores(
        self, request: Request, user_id: Id, database: NamedDependency[Database], reveal: RevealParam = False
    ) -> Scores:
        """One shopper's scores and segment; the email masked unless revealed."""
        who = reveal_for(request, reveal)
        row = audience_store.get_scores(database.read(), user_id)
        if row is None:
            raise UnknownShopper(f"no scores for shopper {user_id} (run `lastmile retention run`)")
        return _scores([row], accounts_service.shopper_emails(database, [user_id], who))[0]

    @get("/report", sync_to_thread=True, opt={PERMISSION: Permission.REPORTS})
    def report(self, database: NamedDependency[Database]) -> list[ReportRow]:
        """Sent, accepted, shown, clicked, redeemed; conversion and ROI per campaign and variant."""
        with database.snapshot() as db:
            return report(db)
