"""Lottery draws under random pushes and rolls: each draw mutation applies exactly once, and a day's prizes never
pay out more than the lottery's budget."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta, timezone

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import store as accounts_store
from loyalty import growth_shop, store
from loyalty.models import LotteryInput, Prize
from server.settings import Settings
from server.wiring import install
from server.stores import open_database
from sync import engine
from sync.limits import SyncLimits
from sync.models import Mutation, PushRequest

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LOTTERY = LotteryInput(name="Test draw", cost=10, daily_budget=3_000, currency="EUR", prizes=[
    Prize(id="big", name="€20", kind="coupon", odds=3_000, value=2_000),
    Prize(id="small", name="€5", kind="coupon", odds=3_000, value=500),
    Prize(id="pts", name="300 points", kind="points", odds=2_000, points=300),
])
_users = itertools.count(1)


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = open_database(Settings(data_dir=tmp_path_factory.mktemp("lottery")))
    with db.write() as w:
        growth_shop.put_lottery(w, "draw", LOTTERY, DAY)
    yield db
    db.close()


def shopper(database, growth: int) -> int:
    with database.write() as db:
        user_id = accounts_store.create_user(db, f"lucky{next(_users)}-{uuid.uuid4().hex[:6]}@example.com", "x", 0)
        store.insert_growth(db, user_id, "order", growth, f"seed-{user_id}", "2026-03-01", "2026-03", "2026-03-01T00:00:00.000000Z")
    return user_id


def draws(mutation_ids: list[int]) -> PushRequest:
    return PushRequest(client_id="", mutations=[
        Mutation(id=i, name="growth.draw", args=msgspec.Raw(b'{"lotteryId":"draw"}'), at=0) for i in mutation_ids])


# A push is a run of consecutive mutation ids starting at some id (retries resend ids already applied).
pushes = st.lists(st.tuples(st.integers(1, 12), st.integers(1, 4)), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pushes=pushes)
def test_each_draw_applies_exactly_once_however_often_it_is_pushed(database, pushes):
    user_id = shopper(database, 10_000)
    client_id = uuid.uuid4().hex
    applied = 0
    for start, length in pushes:
        request = msgspec.structs.replace(draws(list(range(start, start + length))), client_id=client_id)
        response = engine.push(database, user_id, request, SyncLimits(), install().mutators)
        applied = response.last_mutation_id
        assert [] == response.errors
    spends = store.growth_spends(database.read(), user_id, "draw")
    assert list(range(1, applied + 1)) == [s["mutation_id"] for s in spends]
    assert 10_000 - 10 * applied == growth_shop.spendable(database.read(), user_id)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rolls=st.lists(st.integers(0, 9_999), min_size=1, max_size=40), day=st.integers(0, 400))
def test_a_days_prizes_never_exceed_its_budget(database, rolls, day):
    moment = DAY + timedelta(days=day + 1)
    user_id = shopper(database, 10 * len(rolls))
    day_key = moment.strftime("%Y-%m-%d")
    before = store.budget_spent(database.read(), "draw", day_key)  # earlier examples may have drawn on this day
    rolled = iter(rolls)
    won = []
    for _ in rolls:
        with database.write() as db:
            won.append(growth_shop.draw(db, user_id, "draw", moment, rng=lambda n: next(rolled)))
    paid = sum(r.value + r.points for r in won)
    after = store.budget_spent(database.read(), "draw", day_key)
    assert before + paid == after <= LOTTERY.daily_budget
    # A prize the budget could still pay is paid; "nothing" comes only from the odds or a spent budget.
    for roll, result in zip(rolls, won):
        expected = growth_shop.pick_prize(LOTTERY.prizes, roll)
        if expected is None:
            assert ("none", False) == (result.kind, result.budget_spent)
        else:
            assert (result.prize_id == expected.id) != result.budget_spent
    assert 0 == growth_shop.spendable(database.read(), user_id)


def test_draws_use_secrets_grade_randomness_by_default():
    import inspect
    import secrets

    assert secrets.randbelow is inspect.signature(growth_shop.draw).parameters["rng"].default
