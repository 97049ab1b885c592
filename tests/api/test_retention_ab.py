"""A/B that decides: holdouts receive nothing, the report gives per arm conversion with a 95 % interval and the
lift's p-value, and names a winner only when it is significant."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from retention import campaign_store, push_store
from retention.campaigns import HOLDOUT, in_holdout
from retention.config import RetentionConfig
from retention.models import CampaignIn, Variant
from retention.planner import create_campaign, enqueue_message
from retention.tracking import report
from server.cli.main import main
from tests.loyalty_support import buy, make_user
from tests.utils import add_product, assert_problem, point_cli_at

NOW = datetime.now(timezone.utc) - timedelta(days=1)
CONFIG = RetentionConfig(quiet_hours=(0, 0), cap_per_day=100, cap_per_week=100)


def test_a_one_arm_campaign_needs_a_holdout(client, admin_headers):
    one = {"name": "Solo", "trigger": "churn_risk", "variants": [{"name": "A", "templateKey": "churn_risk"}]}
    assert_problem(client.post("/api/admin/retention/campaigns", json=one, headers=admin_headers), 422, "holdout")
    made = client.post("/api/admin/retention/campaigns", json={**one, "holdout": 20}, headers=admin_headers)
    assert (201, 20) == (made.status_code, made.json()["holdout"])
    assert_problem(client.post("/api/admin/retention/campaigns", json={**one, "holdout": 51}, headers=admin_headers), 400)
    named = {**one, "holdout": 10, "variants": [{"name": "holdout", "templateKey": "churn_risk"}]}
    assert_problem(client.post("/api/admin/retention/campaigns", json=named, headers=admin_headers), 422, "holdout")


def test_the_holdout_gets_nothing_and_the_report_measures_lift_against_it(fresh_db):
    add_product(fresh_db, "MUG", price=2_000, stock=10_000)
    with fresh_db.write() as db:
        campaign = create_campaign(db, CampaignIn(name="Come back", trigger="churn_risk", holdout=30,
                                                  variants=[Variant(name="A", template_key="churn_risk")]))
    users = [make_user(fresh_db) for _ in range(400)]
    for user in users:
        with fresh_db.write() as db:
            push_store.add_subscription(db, user, None, f"https://push.example/{user}", "k", "a", "x")
            enqueue_message(db, user_id=user, trigger="churn_risk", dedupe="churn:1", context={}, campaign=campaign,
                            now=NOW, config=CONFIG)
    held = [u for u in users if in_holdout(campaign.id, u, 30)]
    assert 90 <= len(held) <= 150
    messages = {m["user_id"]: m for m in fresh_db.read().query("SELECT * FROM retention_messages")}
    assert {HOLDOUT} == {messages[u]["variant"] for u in held}
    outbox = {r["message_id"] for r in push_store.outbox_rows(fresh_db.read())}
    assert not {messages[u]["id"] for u in held} & outbox             # the holdout receives nothing
    assert {messages[u]["id"] for u in users if u not in held} == outbox
    # Half of the messaged shoppers buy in the week after; a tenth of the holdout does anyway.
    sent = [u for u in users if u not in held]
    buyers = sent[: len(sent) // 2] + held[: len(held) // 10]
    for i, user in enumerate(buyers):
        buy(fresh_db, user, {"MUG": 1}, NOW + timedelta(hours=2, seconds=i))
    late = held[len(held) // 10]
    buy(fresh_db, late, {"MUG": 1}, NOW + timedelta(days=9))        # outside the 7-day attribution window
    rows = {r.variant: r for r in report(fresh_db.read()) if r.campaign_id == campaign.id}
    a, hold = rows["A"], rows[HOLDOUT]
    assert (len(sent), len(sent) // 2) == (a.messages, a.converted)
    assert (len(held), 0, len(held) // 10, True) == (hold.messages, hold.sent, hold.converted, hold.holdout)
    assert a.conversion_low < a.conversion < a.conversion_high
    assert (True, None) == (hold.baseline, hold.lift_p_value)
    assert a.lift_p_value < 0.001 and a.winner and not hold.winner
    assert 2_000 * (len(sent) // 2) == a.revenue


def test_no_winner_without_significance(fresh_db):
    add_product(fresh_db, "MUG", price=2_000, stock=10_000)
    with fresh_db.write() as db:
        campaign = create_campaign(db, CampaignIn(name="Close call", trigger="churn_risk", variants=[
            Variant(name="A", template_key="churn_risk"), Variant(name="B", template_key="churn_risk")]))
    users = [make_user(fresh_db) for _ in range(60)]
    for user in users:
        with fresh_db.write() as db:
            enqueue_message(db, user_id=user, trigger="churn_risk", dedupe="churn:1", context={}, campaign=campaign,
                            now=NOW, config=CONFIG)
    arm = {m["user_id"]: m["variant"] for m in campaign_store.campaign_messages(fresh_db.read())}
    bought = 0
    for i, user in enumerate(users):
        if (arm[user] == "B" and i % 3 == 0) or (arm[user] == "A" and i % 4 == 0):
            buy(fresh_db, user, {"MUG": 1}, NOW + timedelta(hours=1, seconds=i))
            bought += 1
    rows = {r.variant: r for r in report(fresh_db.read()) if r.campaign_id == campaign.id}
    assert rows["A"].baseline and rows["B"].lift_p_value is not None and rows["B"].lift_p_value > 0.05
    assert not any(r.winner for r in rows.values())
    assert bought == sum(r.converted for r in rows.values())


@pytest.fixture
def cli_env(settings, monkeypatch):
    point_cli_at(monkeypatch, settings)
    return settings


def test_the_report_over_http_and_as_json_from_the_cli(client, admin_headers, fresh_db, cli_env, capsys):
    with fresh_db.write() as db:
        campaign = create_campaign(db, CampaignIn(name="Json", trigger="churn_risk", holdout=50,
                                                  variants=[Variant(name="A", template_key="churn_risk")]))
        for user in range(1, 5):
            enqueue_message(db, user_id=user, trigger="churn_risk", dedupe="churn:1", context={}, campaign=campaign,
                            now=NOW, config=CONFIG)
    over_http = [r for r in client.get("/api/admin/retention/report", headers=admin_headers).json()
                 if r["campaignId"] == campaign.id]
    assert {"conversion", "conversionLow", "conversionHigh", "liftPValue", "winner", "holdout", "sent", "shown",
            "clicked", "redeemed", "revenue"} <= set(over_http[0])
    assert 0 == main(["retention", "report", "--json"])
    from_cli = [r for r in json.loads(capsys.readouterr().out) if r["campaignId"] == campaign.id]
    assert over_http == from_cli
    assert 0 == main(["retention", "report"])
    assert "winner" in capsys.readouterr().out
