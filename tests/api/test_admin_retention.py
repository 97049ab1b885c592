"""Operator API for retention: offers, templates, campaigns, segments and scores, the report."""

from __future__ import annotations

import pytest

from retention import audience_store
from tests.utils import assert_problem

OFFER = {"code": "SPRING20", "title": "Spring sale", "kind": "percent", "value": 20, "expiresAt": "2099-01-01T00:00:00Z", "budget": 100000, "segment": "churn_risk"}


def test_admin_routes_need_the_token(client):
    assert 401 == client.get("/api/admin/retention/offers").status_code
    assert 401 == client.post("/api/admin/retention/offers", json=OFFER, headers={"Authorization": "Bearer nope-nope-nope-nope"}).status_code


def test_offers(client, admin_headers):
    created = client.post("/api/admin/retention/offers", json=OFFER, headers=admin_headers)
    assert 201 == created.status_code, created.text
    offer = created.json()
    assert ("SPRING20", 0, "churn_risk") == (offer["code"], offer["spent"], offer["segment"])
    assert [offer] == client.get("/api/admin/retention/offers", headers=admin_headers).json()
    assert offer == client.get(f"/api/admin/retention/offers/{offer['id']}", headers=admin_headers).json()
    again = client.post("/api/admin/retention/offers", json=OFFER, headers=admin_headers)
    assert (422, "/problems/bad-offer") == (again.status_code, again.json()["type"])
    assert 404 == client.get("/api/admin/retention/offers/999", headers=admin_headers).status_code


@pytest.mark.parametrize("change", [
    {"value": 95}, {"kind": "amount"}, {"expiresAt": "2001-01-01T00:00:00Z"}, {"expiresAt": "soon"},
    {"code": "lower case"}, {"budget": 0}, {"segment": "vip"}, {"surprise": 1},
])
def test_bad_offers_are_4xx(client, admin_headers, change):
    response = client.post("/api/admin/retention/offers", json={**OFFER, **change}, headers=admin_headers)
    assert response.status_code in (400, 422), (change, response.status_code)
    assert response.headers["content-type"].startswith("application/problem+json")


TEMPLATE = {"key": "winback", "locale": "de", "title": "{discount} Rabatt", "body": "Code {code}", "url": "/offers"}


def test_templates(client, admin_headers):
    body = TEMPLATE
    saved = client.put("/api/admin/retention/templates", json=body, headers=admin_headers)
    assert 200 == saved.status_code, saved.text
    replaced = client.put("/api/admin/retention/templates", json={**body, "title": "Neu"}, headers=admin_headers).json()
    assert (saved.json()["id"], "Neu") == (replaced["id"], replaced["title"])
    assert 204 == client.delete(f"/api/admin/retention/templates/{replaced['id']}", headers=admin_headers).status_code
    assert 404 == client.delete(f"/api/admin/retention/templates/{replaced['id']}", headers=admin_headers).status_code


@pytest.mark.parametrize("bad", [{"title": "{__class__}"}, {"url": "https://evil.example/"}, {"locale": "not a locale"}])
def test_bad_templates_are_4xx(client, admin_headers, bad):
    assert 200 == client.put("/api/admin/retention/templates", json=TEMPLATE, headers=admin_headers).status_code
    response = client.put("/api/admin/retention/templates", json={**TEMPLATE, **bad}, headers=admin_headers)
    assert response.status_code in (400, 422), bad


def campaign_for(offer: dict) -> dict:
    """A valid campaign body whose first variant carries ``offer``."""
    return {"name": "Win back", "trigger": "segment", "segment": "churn_risk", "topic": "winback",
            "variants": [{"name": "A", "templateKey": "segment", "offerId": offer["id"]}, {"name": "B", "templateKey": "churn_risk", "weight": 2}]}


def test_campaigns(client, admin_headers):
    offer = client.post("/api/admin/retention/offers", json=OFFER, headers=admin_headers).json()
    campaign = campaign_for(offer)
    created = client.post("/api/admin/retention/campaigns", json=campaign, headers=admin_headers)
    assert 201 == created.status_code, created.text
    cid = created.json()["id"]
    stopped = client.put(f"/api/admin/retention/campaigns/{cid}/active", json={"active": False}, headers=admin_headers)
    assert False is stopped.json()["active"]
    assert [cid] == [c["id"] for c in client.get("/api/admin/retention/campaigns", headers=admin_headers).json()]
    assert 404 == client.get("/api/admin/retention/campaigns/999", headers=admin_headers).status_code


@pytest.mark.parametrize("bad", [
    {"variants": []}, {"variants": [{"name": "A", "templateKey": "nope"}]}, {"variants": [{"name": "A", "templateKey": "segment", "offerId": 999}]},
    {"segment": None}, {"trigger": "whenever"}, {"variants": [{"name": "A", "templateKey": "segment"}, {"name": "A", "templateKey": "segment"}]},
])
def test_bad_campaigns_are_4xx(client, admin_headers, bad):
    offer = client.post("/api/admin/retention/offers", json=OFFER, headers=admin_headers).json()
    response = client.post("/api/admin/retention/campaigns", json={**campaign_for(offer), **bad}, headers=admin_headers)
    assert response.status_code in (400, 422), (bad, response.status_code)


def test_a_template_that_needs_an_offer_is_refused_for_a_variant_without_one(client, admin_headers):
    # "Your code {code} is waiting until {expires_on}" without an offer would go out as "Your code  is waiting until ."
    offer = client.post("/api/admin/retention/offers", json=OFFER, headers=admin_headers).json()
    bare = {**campaign_for(offer), "variants": [{"name": "A", "templateKey": "churn_risk.winback"},
                                                 {"name": "B", "templateKey": "churn_risk"}]}
    refused = assert_problem(client.post("/api/admin/retention/campaigns", json=bare, headers=admin_headers), 422,
                             "variant A", "{code}", "offerId")
    assert "{expires_on}" in refused["detail"]
    assert [{"line": "campaign", "message": "offer-needed"}] == refused["errors"]  # the code the console translates
    bare["variants"][0]["offerId"] = offer["id"]
    assert 201 == client.post("/api/admin/retention/campaigns", json=bare, headers=admin_headers).status_code


def test_segments_scores_and_report(client, admin_headers, fresh_db):
    row = {"user_id": 5, "recency": 5, "frequency": 4, "monetary": 3, "segment": "loyal", "days_since_activity": 2,
           "orders": 5, "revenue": 30000, "discounted_share": 0.2, "views": 3}
    with fresh_db.write() as db:
        audience_store.save_scores(db, [row], "2026-06-10T00:00:00.000000Z")
    segments = {s["segment"]: s["shoppers"] for s in client.get("/api/admin/retention/segments", headers=admin_headers).json()}
    assert (1, 0) == (segments["loyal"], segments["churn_risk"])
    scores = client.get("/api/admin/retention/scores/5", headers=admin_headers).json()
    assert ("loyal", 5, 0.2) == (scores["segment"], scores["userId"], scores["discountedShare"])
    assert [5] == [s["userId"] for s in client.get("/api/admin/retention/scores?segment=loyal", headers=admin_headers).json()]
    assert [] == client.get("/api/admin/retention/scores?after=5", headers=admin_headers).json()
    assert 404 == client.get("/api/admin/retention/scores/6", headers=admin_headers).status_code
    assert 400 == client.get("/api/admin/retention/scores?segment=vip", headers=admin_headers).status_code
    assert [] == client.get("/api/admin/retention/report", headers=admin_headers).json()
