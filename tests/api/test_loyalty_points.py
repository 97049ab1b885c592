"""Points and tiers through real orders: earning, hold, expiry job, refund reversal, every tier transition."""

from datetime import datetime, timedelta, timezone

import pytest

import clock
from loyalty import ledger, mall, rules, service, store, tiers
from loyalty.errors import GrowthCapReached
from loyalty.models import RewardInput
from tests.loyalty_support import buy, make_user, move, order, place, view
from tests.utils import add_product, point_cli_at

T0 = datetime(2026, 5, 3, 10, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


@pytest.fixture
def shop(fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=1_000)       # 12.50
    add_product(fresh_db, "TV", price=150_000, stock=1_000)      # 1,500.00
    add_product(fresh_db, "SOFA", price=210_000, stock=1_000)    # 2,100.00
    return fresh_db


def points(database, user_id, now):
    return service.points(database, user_id, now)


def test_paying_earns_pending_points_and_the_first_order_bonus(shop):
    user = make_user(shop)
    order_id = place(shop, user, {"MUG": 4}, T0)            # 50.00
    assert 0 == points(shop, user, T0).pending               # placing earns nothing
    move(shop, order_id, "paid", T0)
    view_now = points(shop, user, T0)
    assert (0, 50 + 1_000) == (view_now.balance, view_now.pending)
    assert 1_050 == order(shop, order_id).points_earned
    # After the hold (7 days) the points are available; the synced view is refreshed by the job.
    assert (1_050, 0) == (points(shop, user, T0 + 7 * DAY).balance, points(shop, user, T0 + 7 * DAY).pending)
    assert 0 == view(shop, user)["points"]["balance"]
    service.run_jobs(shop, T0 + 7 * DAY)
    assert {"balance": 1_050, "pending": 0} == {k: view(shop, user)["points"][k] for k in ("balance", "pending")}
    # The second paid order earns no bonus.
    second = buy(shop, user, {"MUG": 8}, T0 + 8 * DAY)
    assert 100 == order(shop, second).points_earned


def test_hold_days_come_from_the_setting(shop):
    user = make_user(shop)
    buy(shop, user, {"MUG": 8}, T0, hold_days=0)
    assert 1_100 == points(shop, user, T0).balance


def test_lots_expire_twelve_months_after_they_become_available_oldest_spent_first(shop):
    user = make_user(shop)
    buy(shop, user, {"MUG": 8}, T0, hold_days=0)                     # lot A: 100 + bonus lot 1,000
    buy(shop, user, {"MUG": 16}, T0 + 100 * DAY, hold_days=0)        # lot B: 200
    with shop.write() as db:
        mall.create_reward(db, RewardInput(id="tote", name="Tote", kind="coupon", points_cost=1_050, stock=5,
                                           value=500, currency="EUR"), T0)
    service.redeem(shop, user, "tote", T0 + 101 * DAY)               # spends lot A (100) and 950 of the bonus lot
    assert 250 == points(shop, user, T0 + 101 * DAY).balance
    expiry_a = rules.add_months(T0, 12)
    soon = points(shop, user, expiry_a - 10 * DAY).expiring
    assert [50] == [lot.points for lot in soon]                      # only what is left of the oldest lots
    assert 200 == points(shop, user, expiry_a).balance               # lazily expired on read
    report = service.run_jobs(shop, expiry_a)
    assert 50 == report.points_expired
    with shop.write() as db:
        assert 200 == store.ledger_sum(db, user)                      # sum of entries = balance
    assert 200 == view(shop, user)["points"]["balance"]
    assert 0 == points(shop, user, rules.add_months(T0 + 100 * DAY, 12)).balance


def test_refund_reverses_the_points_and_the_growth_of_the_order(shop):
    user = make_user(shop)
    first = buy(shop, user, {"MUG": 8}, T0)
    move(shop, first, "refunded", T0 + DAY)
    assert (0, 0) == (points(shop, user, T0 + DAY).balance, points(shop, user, T0 + DAY).pending)
    assert 0 == tiers.growth(shop.read(), user, T0 + DAY)
    assert 1_100 == order(shop, first).points_reversed
    # The bonus comes back with the next paid order, since the first was refunded.
    second = buy(shop, user, {"MUG": 8}, T0 + 2 * DAY)
    assert 1_100 == order(shop, second).points_earned


def test_refund_of_spent_points_claws_back_from_other_lots_then_writes_off(shop):
    user = make_user(shop)
    first = buy(shop, user, {"MUG": 8}, T0, hold_days=0)             # 1,100 available
    with shop.write() as db:
        mall.create_reward(db, RewardInput(id="mug-free", name="Free mug", kind="product", points_cost=1_000,
                                           stock=5, sku="MUG"), T0)
    service.redeem(shop, user, "mug-free", T0 + DAY)                # 100 left
    second = buy(shop, user, {"MUG": 24}, T0 + 2 * DAY, hold_days=0)  # +300 → 400
    assert 400 == points(shop, user, T0 + 2 * DAY).balance
    move(shop, first, "refunded", T0 + 3 * DAY)
    # 100 unspent comes back from the order's own lots; 1,000 spent is clawed back from the 300 of
    # the second order; the remaining 700 is written off. The balance stops at zero.
    refunded = order(shop, first)
    assert (400, 700) == (refunded.points_reversed, refunded.points_written_off)
    assert 0 == points(shop, user, T0 + 3 * DAY).balance
    with shop.write() as db:
        ledger.settle(db, user, T0 + 3 * DAY)
        assert 0 == store.ledger_sum(db, user)
    assert 300 == order(shop, second).points_earned


def test_growth_upgrades_silver_to_gold_to_diamond(shop):
    user = make_user(shop)
    add_product(shop, "BIKE", price=199_900, stock=100)             # 1,999.00: below the accelerated path
    assert "silver" == points(shop, user, T0).tier
    month = timedelta(days=31)
    for i in range(3):
        buy(shop, user, {"BIKE": 1}, T0 + i * month)                # 1,999 growth a month
    assert "gold" == tiers.state(shop.read(), user).tier            # 5,997 growth
    for i in range(3, 11):
        buy(shop, user, {"BIKE": 1}, T0 + i * month)
    assert "diamond" == points(shop, user, T0 + 10 * month).tier    # 21,989 growth within 365 days
    assert [("silver", "gold", "growth"), ("gold", "diamond", "growth")] == [
        (c["from_tier"], c["to_tier"], c["reason"]) for c in store.tier_changes_since(shop.read()) if c["user_id"] == user
    ]
    # The multiplier follows the tier: diamond earns 2 points per unit.
    later = buy(shop, user, {"MUG": 8}, T0 + 10 * month + DAY)
    assert 200 == order(shop, later).points_earned


def test_accelerated_path_silver_to_gold_then_gold_to_diamond(shop):
    user = make_user(shop)
    buy(shop, user, {"MUG": 1}, T0)
    add_product(shop, "LAMP", price=70_000, stock=100)               # 700.00
    buy(shop, user, {"LAMP": 1}, T0 + DAY)
    buy(shop, user, {"LAMP": 1}, T0 + 2 * DAY)
    assert "silver" == points(shop, user, T0 + 2 * DAY).tier         # 1,412.50 paid in May
    buy(shop, user, {"LAMP": 1}, T0 + 3 * DAY)                       # 2,112.50 paid in May > 2,000
    assert "gold" == points(shop, user, T0 + 3 * DAY).tier
    buy(shop, user, {"SOFA": 1}, T0 + 4 * DAY)                       # same month: counted once
    assert "gold" == points(shop, user, T0 + 4 * DAY).tier
    buy(shop, user, {"SOFA": 1}, datetime(2026, 6, 1, tzinfo=timezone.utc))  # June: one more tier
    changes = [(c["from_tier"], c["to_tier"], c["reason"]) for c in store.tier_changes_since(shop.read())
               if c["user_id"] == user]
    assert [("silver", "gold", "accelerated"), ("gold", "diamond", "accelerated")] == changes
    # Gold earns 1.5 points per unit: the May sofa (2,100 units) was paid at gold.
    may_sofa = [o for o in service.list_orders(shop, user, None, 10).items if o.total == 210_000][-1]
    assert 3_150 == may_sofa.points_earned


def test_accelerated_path_does_not_count_spend_spread_over_two_months(shop):
    user = make_user(shop)
    add_product(shop, "LAMP", price=70_000, stock=100)
    for day in (28, 29, 30):
        buy(shop, user, {"LAMP": 1}, datetime(2026, 5, day, tzinfo=timezone.utc))
    # 2,100 in May → gold; the June orders alone stay under 2,000.
    buy(shop, user, {"LAMP": 2}, datetime(2026, 6, 2, tzinfo=timezone.utc))
    assert "gold" == points(shop, user, datetime(2026, 6, 2, tzinfo=timezone.utc)).tier
    other = make_user(shop)
    buy(shop, other, {"LAMP": 2}, datetime(2026, 5, 30, tzinfo=timezone.utc))
    buy(shop, other, {"LAMP": 2}, datetime(2026, 6, 2, tzinfo=timezone.utc))
    assert "silver" == points(shop, other, datetime(2026, 6, 2, tzinfo=timezone.utc)).tier


def test_refund_takes_the_month_spend_back(shop):
    user = make_user(shop)
    first = buy(shop, user, {"TV": 1}, T0)
    move(shop, first, "refunded", T0 + DAY)
    buy(shop, user, {"TV": 1}, T0 + 2 * DAY)                          # 1,500 kept in May: not above 2,000
    assert "silver" == points(shop, user, T0 + 2 * DAY).tier


def test_downgrade_after_the_hold_one_tier_at_a_time(shop):
    user = make_user(shop)
    buy(shop, user, {"SOFA": 1}, T0)                                  # May: accelerated → gold
    june = T0 + 31 * DAY
    buy(shop, user, {"SOFA": 1}, june)                                # June: accelerated → diamond
    assert "diamond" == tiers.state(shop.read(), user).tier
    assert "diamond" == points(shop, user, june + 364 * DAY).tier     # held for a year
    service.run_jobs(shop, june + 366 * DAY)                          # hold over, growth out of the window
    assert "gold" == tiers.state(shop.read(), user).tier
    assert "gold" == view(shop, user)["points"]["tier"]
    service.run_jobs(shop, june + 2 * 366 * DAY)
    assert "silver" == tiers.state(shop.read(), user).tier
    reasons = [(c["to_tier"], c["reason"]) for c in store.tier_changes_since(shop.read()) if c["user_id"] == user]
    assert [("gold", "accelerated"), ("diamond", "accelerated"), ("gold", "downgrade"), ("silver", "downgrade")] == reasons


def test_checkin_once_a_day_review_needs_a_purchase(shop):
    user = make_user(shop)
    assert 2 == service.record_growth(shop, user, "checkin", now=T0).growth_added
    with pytest.raises(GrowthCapReached):
        service.record_growth(shop, user, "checkin", now=T0 + timedelta(hours=5))
    assert 4 == service.record_growth(shop, user, "checkin", now=T0 + DAY).growth
    from loyalty.errors import BadOrderInput

    with pytest.raises(BadOrderInput):
        service.record_growth(shop, user, "review", "MUG", now=T0)
    buy(shop, user, {"MUG": 1}, T0)
    assert 20 == service.record_growth(shop, user, "review", "MUG", now=T0).growth_added
    with pytest.raises(GrowthCapReached):
        service.record_growth(shop, user, "review", "MUG", now=T0 + DAY)


def test_shares_are_capped_per_day_and_month(shop):
    user = make_user(shop)
    skus = ["MUG", "TV", "SOFA"]
    for sku in skus:
        service.record_growth(shop, user, "share", sku, now=T0)
    with pytest.raises(GrowthCapReached):
        service.record_growth(shop, user, "share", "MUG", now=T0)
    for counted in range(3, rules.GROWTH_RULES["share"].per_month):
        service.record_growth(shop, user, "share", skus[counted % 3], now=T0 + (counted // 3) * DAY)
    with pytest.raises(GrowthCapReached):
        service.record_growth(shop, user, "share", "MUG", now=T0 + 10 * DAY)
    assert 50 == tiers.growth(shop.read(), user, T0 + 10 * DAY)


def test_job_purges_idempotency_keys_after_a_day_and_the_cli_runs_it(shop, settings, monkeypatch, capsys):
    user = make_user(shop)
    place(shop, user, {"MUG": 1}, T0)
    service.run_jobs(shop, T0 + timedelta(hours=23))
    assert 1 == shop.read().execute("SELECT COUNT(*) FROM idempotency_keys").fetchone()[0]
    assert 1 == service.run_jobs(shop, T0 + timedelta(hours=25)).keys_purged
    from server.cli import main as cli

    point_cli_at(monkeypatch, settings)
    assert 0 == cli.main(["loyalty", "run"])
    assert "loyalty run:" in capsys.readouterr().out


def test_job_lists_lots_as_expiring_soon_in_the_synced_view(shop):
    user = make_user(shop)
    buy(shop, user, {"MUG": 8}, T0, hold_days=0)
    service.run_jobs(shop, T0 + DAY)
    assert [] == view(shop, user)["points"]["expiring"]
    expiry = rules.add_months(T0, 12)
    service.run_jobs(shop, expiry - 20 * DAY)                         # no write touched the shopper since
    assert [(100, clock.iso(expiry)), (1_000, clock.iso(expiry))] == [
        (lot["points"], lot["expiresAt"]) for lot in view(shop, user)["points"]["expiring"]
    ]
