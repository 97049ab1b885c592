"""Tiered spend thresholds, bundles and free shipping: checked when an operator saves them, applied at checkout through the
discount provider server/wiring.py installs."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from clock import iso
from loyalty.errors import UnknownCode
from retention import campaign_store
from retention.errors import BadOffer
from retention.models import OfferIn, OfferStep
from retention.offers import create_offer
from tests.loyalty_support import fill_cart, make_user, order, place, shopper
from tests.operator_support import token_headers
from tests.utils import add_product, assert_problem, race, servers, sync_push

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
EXPIRES = "2026-12-31T00:00:00Z"
TIERED = {"code": "SPEND200", "title": "Spend more, save more", "kind": "amount", "currency": "EUR",
          "expiresAt": EXPIRES, "budget": 1_000_000, "steps": [{"spend": 20_000, "save": 2_000}, {"spend": 50_000, "save": 6_000}]}
BUNDLE = {"code": "DUO", "title": "The pair", "kind": "amount", "currency": "EUR", "value": 500, "expiresAt": EXPIRES,
          "budget": 1_000_000, "bundle": ["LAMP", "BULB"]}


@pytest.fixture
def products(fresh_db):
    """LAMP 30.00, BULB 5.00, TABLE 100.00 and SHADE 1.00 (EUR), plenty of stock."""
    for sku, price in (("LAMP", 3_000), ("BULB", 500), ("TABLE", 10_000), ("SHADE", 100)):
        add_product(fresh_db, sku, price=price, stock=100)


def granted(database, offer: OfferIn) -> tuple[int, str]:
    """Store the offer and grant it to a new shopper: (user id, code)."""
    user_id = make_user(database)
    with database.write() as db:
        stored = create_offer(db, offer, NOW)
        campaign_store.grant_offer(db, user_id, stored.id, None, iso(NOW))
    return user_id, stored.code


def discount_at_checkout(database, offer: OfferIn, cart: dict[str, int]) -> int:
    """Check the cart out with the offer's code; the order's discount."""
    user_id, code = granted(database, offer)
    return order(database, place(database, user_id, cart, NOW, code=code)).discount


def tiered(kind: str = "amount", steps=((20_000, 2_000), (50_000, 6_000))) -> OfferIn:
    return OfferIn(code="TIERS", title="Tiers", kind=kind, expires_at=EXPIRES, budget=10**9,
                   currency="EUR" if kind == "amount" else None, steps=[OfferStep(spend=a, save=b) for a, b in steps])


@pytest.mark.parametrize("cart, expected", [
    ({"TABLE": 2}, 2_000),               # 200.00 reaches the first step exactly
    ({"TABLE": 4, "LAMP": 3}, 2_000),    # 490.00: still the first
    ({"TABLE": 5}, 6_000),               # 500.00: the second
    ({"TABLE": 9}, 6_000),               # 900.00: the best step reached, never more
])
def test_tiered_offer_takes_the_best_step_the_subtotal_reaches(fresh_db, products, cart, expected):
    assert expected == discount_at_checkout(fresh_db, tiered(), cart)


def test_tiered_offer_below_its_first_step_is_refused_at_checkout(fresh_db, products):
    user_id, code = granted(fresh_db, tiered())
    with pytest.raises(UnknownCode, match="at least"):
        place(fresh_db, user_id, {"TABLE": 1, "LAMP": 3}, NOW, code=code)  # 190.00


def test_tiered_percent_steps(fresh_db, products):
    offer = tiered("percent", ((10_000, 5), (30_000, 10)))
    assert 4_000 == discount_at_checkout(fresh_db, offer, {"TABLE": 4})  # 10 % of 400.00


def bundle(kind: str = "amount", value: int = 500, skus=("LAMP", "BULB")) -> OfferIn:
    return OfferIn(code="PAIR", title="Pair", kind=kind, value=value, expires_at=EXPIRES, budget=10**9,
                   currency="EUR" if kind == "amount" else None, bundle=list(skus))


@pytest.mark.parametrize("cart, expected", [
    ({"LAMP": 1, "BULB": 1}, 500),
    ({"LAMP": 2, "BULB": 1}, 500),               # one complete set
    ({"LAMP": 2, "BULB": 3}, 1_000),             # two sets
    ({"LAMP": 1, "BULB": 1, "TABLE": 1}, 500),   # other lines do not count
])
def test_bundle_takes_its_saving_off_each_complete_set(fresh_db, products, cart, expected):
    assert expected == discount_at_checkout(fresh_db, bundle(), cart)


def test_percent_bundle_is_a_share_of_the_sets_price(fresh_db, products):
    assert 700 == discount_at_checkout(fresh_db, bundle("percent", 10), {"LAMP": 2, "BULB": 2})  # 10 % of 2 × 35.00


def test_bundle_without_every_sku_in_the_cart_is_refused(fresh_db, products):
    user_id, code = granted(fresh_db, bundle())
    with pytest.raises(UnknownCode, match="LAMP, BULB in the cart together"):
        place(fresh_db, user_id, {"LAMP": 3, "TABLE": 1}, NOW, code=code)


def test_tiered_and_bundle_offers_are_stored_and_listed(client, products, admin_headers):
    created = client.post("/api/admin/retention/offers", json=TIERED, headers=admin_headers)
    assert 201 == created.status_code, created.text
    body = created.json()
    assert (TIERED["steps"], 6_000, 20_000) == (body["steps"], body["value"], body["minOrder"])
    pair = client.post("/api/admin/retention/offers", json=BUNDLE, headers=admin_headers)
    assert 201 == pair.status_code, pair.text
    assert ["LAMP", "BULB"] == pair.json()["bundle"]
    listed = client.get("/api/admin/retention/offers", headers=admin_headers).json()
    assert ["SPEND200", "DUO"] == [o["code"] for o in listed]


@pytest.mark.parametrize("base, change, words", [
    (TIERED, {"steps": [{"spend": 50_000, "save": 6_000}, {"spend": 20_000, "save": 2_000}]}, ("steps[1]", "go up")),
    (TIERED, {"steps": [{"spend": 20_000, "save": 2_000}, {"spend": 20_000, "save": 3_000}]}, ("steps[1]", "go up")),
    (TIERED, {"steps": [{"spend": 20_000, "save": 6_000}, {"spend": 50_000, "save": 6_000}]}, ("steps[1]", "save more")),
    (TIERED, {"steps": [{"spend": 20_000, "save": 20_000}]}, ("steps[0]", "below its spend")),
    (TIERED, {"kind": "percent", "currency": None, "steps": [{"spend": 100, "save": 95}]}, ("steps[0]", "90%")),
    (TIERED, {"value": 100}, ("leave value out",)),
    (TIERED, {"minOrder": 100}, ("minOrder",)),
    (TIERED, {"bundle": ["LAMP", "BULB"]}, ("not both",)),
    (BUNDLE, {"bundle": ["LAMP", "NOPE"]}, ("no product NOPE",)),
    (BUNDLE, {"bundle": ["LAMP", "LAMP"]}, ("each SKU once",)),
    (BUNDLE, {"value": 3_500}, ("below the set's price",)),
    (BUNDLE, {"currency": "USD"}, ("priced in EUR",)),
    (BUNDLE, {"value": None}, ("value is required",)),
])
def test_bad_offer_rules_are_422_and_store_nothing(client, products, admin_headers, base, change, words):
    body = {k: v for k, v in {**base, **change}.items() if v is not None}
    response = client.post("/api/admin/retention/offers", json=body, headers=admin_headers)
    problem = assert_problem(response, 422, *words)
    assert "/problems/bad-offer" == problem["type"]
    assert [] == client.get("/api/admin/retention/offers", headers=admin_headers).json()


@pytest.mark.parametrize("change", [{"steps": []}, {"steps": [{"spend": 0, "save": 1}]}, {"bundle": ["LAMP"]},
                                    {"steps": [{"spend": 100, "save": 1, "extra": 1}]}])
def test_malformed_steps_and_bundles_are_4xx(client, products, admin_headers, change):
    response = client.post("/api/admin/retention/offers", json={**TIERED, **change}, headers=admin_headers)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith("application/problem+json")


def test_marketer_may_save_offers_merchandiser_may_not(client, products, fresh_db):
    for role, status in (("marketer", 201), ("merchandiser", 403)):
        headers = token_headers(fresh_db, f"{role}@shop.example", role)
        body = {**TIERED, "code": f"T{role.upper()}"}
        assert status == client.post("/api/admin/retention/offers", json=body, headers=headers).status_code


FREE = {"code": "SHIPFREE", "title": "Delivery on us", "kind": "free_shipping", "currency": "EUR", "value": 500,
        "expiresAt": EXPIRES, "budget": 1_000_000}
HOME = {"id": "home", "name": "Ana Lima", "line1": "1 Harbour Road", "city": "Lisbon", "country": "PT",
        "line2": "", "region": "", "postcode": "1100-001", "phone": "+351 21 000 0000"}


def free_shipping_shopper(client, database, admin_headers, email: str) -> dict[str, str]:
    """A shopper with a synced address who was granted the SHIPFREE offer (created once)."""
    if not client.get("/api/admin/retention/offers", headers=admin_headers).json():
        assert 201 == client.post("/api/admin/retention/offers", json=FREE, headers=admin_headers).status_code
    headers, user = shopper(client, email)
    sync_push(client, headers, f"client-{user}", ("address.put", HOME))
    offer_id = client.get("/api/admin/retention/offers", headers=admin_headers).json()[0]["id"]
    with database.write() as db:
        campaign_store.grant_offer(db, user, offer_id, None, iso(NOW))
    return headers, user


@pytest.mark.parametrize("cart, delivery, shipping", [
    ({"LAMP": 1}, "standard", 0),     # 4.90 paid by the offer
    ({"LAMP": 1}, "express", 490),    # 9.90, of which the offer pays its 5.00 cap
    ({"LAMP": 1}, "pickup", 0),       # 1.90
])
def test_free_shipping_pays_the_delivery_fee_up_to_its_value(client, fresh_db, products, admin_headers, cart,
                                                            delivery, shipping):
    headers, user = free_shipping_shopper(client, fresh_db, admin_headers, "ship@example.com")
    fill_cart(fresh_db, user, cart)
    body = {"code": "SHIPFREE", "addressId": "home", "delivery": delivery,
            "payment": {"method": "card", "token": "tok_test_approve"}}
    if delivery == "pickup":
        body["pickupPoint"] = "eur-central-station"  # the parcel waits there (loyalty/pickup_points.py)
    quoted = client.post("/api/checkout/quote", json={k: body[k] for k in ("code", "addressId", "delivery")},
                         headers=headers)
    assert 200 == quoted.status_code, quoted.text
    assert (0, shipping, 3_000 + shipping) == (quoted.json()["discount"], quoted.json()["shipping"], quoted.json()["total"])
    placed = client.post("/api/orders", json=body, headers={**headers, "Idempotency-Key": "k1"})
    assert 201 == placed.status_code, placed.text
    order_body = placed.json()
    assert (0, shipping, 3_000 + shipping, "paid") == (
        order_body["discount"], order_body["shipping"], order_body["total"], order_body["status"])
    [offer] = client.get("/api/admin/retention/offers", headers=admin_headers).json()
    fee = {"standard": 490, "express": 990, "pickup": 190}[delivery]
    assert (1, min(fee, 500)) == (offer["redemptions"], offer["spent"])  # the budget pays what the offer paid


def test_free_shipping_without_a_delivery_fee_is_refused_and_kept(client, fresh_db, products, admin_headers):
    headers, user = free_shipping_shopper(client, fresh_db, admin_headers, "big@example.com")
    fill_cart(fresh_db, user, {"TABLE": 1})  # 100.00: standard delivery is free anyway
    body = {"code": "SHIPFREE", "addressId": "home", "delivery": "standard",
            "payment": {"method": "card", "token": "tok_test_approve"}}
    refused = client.post("/api/orders", json=body, headers={**headers, "Idempotency-Key": "k1"})
    assert_problem(refused, 422, "choose a delivery option that has a fee")
    [offer] = client.get("/api/admin/retention/offers", headers=admin_headers).json()
    assert (0, 0) == (offer["redemptions"], offer["spent"])


@pytest.mark.parametrize("change, words", [
    ({"currency": None}, ("needs its currency",)),
    ({"value": None}, ("value is required",)),
    ({"bundle": ["LAMP", "BULB"]}, ("no steps or bundle",)),
])
def test_bad_free_shipping_offers_are_422(client, products, admin_headers, change, words):
    body = {k: v for k, v in {**FREE, **change}.items() if v is not None}
    assert_problem(client.post("/api/admin/retention/offers", json=body, headers=admin_headers), 422, *words)


def test_a_taken_code_is_refused(fresh_db):
    offer = OfferIn(code="ONCE", title="Once", kind="amount", currency="EUR", value=500, expires_at=EXPIRES, budget=10_000)
    with fresh_db.write() as db:
        create_offer(db, offer, NOW)
    with pytest.raises(BadOffer, match="taken"), fresh_db.write() as db:
        create_offer(db, offer, NOW)


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_operators_adding_one_code_at_once_on_many_servers_make_it_once(fresh_db, settings):
    """The code is claimed by the insert itself: every other server hears "taken" (422), none fails on the unique
    key (500) after a check that saw no offer yet."""
    offer = OfferIn(code="RACE", title="Race", kind="amount", currency="EUR", value=500, expires_at=EXPIRES, budget=10_000)

    def add(database, n: int) -> None:
        with database.write() as db:
            create_offer(db, offer, NOW)

    with servers(fresh_db, settings, 6) as databases:  # the unique key's error would show as its class name
        outcomes = race(databases, add)
    assert ["BadOffer"] * 5 + ["done"] == sorted(outcomes)
    assert 1 == len([o for o in campaign_store.list_offers(fresh_db.read()) if o["code"] == "RACE"])
