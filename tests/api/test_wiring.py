"""server/wiring.py installs every cross-room hook; without it the rooms know none (nothing registers on import)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import msgspec

from accounts import store as accounts_store
from retention.checkout_hook import retention_discount
from server.app import create_app
from server.wiring import install
from sync import engine
from sync.limits import SyncLimits
from sync.models import Mutation, PushRequest
from sync.mutators import MutatorTable

ROOT = Path(__file__).resolve().parents[2]
EVERY_MUTATION = ["address.put", "address.remove", "badges.seen", "cart.add", "cart.clear", "cart.remove", "cart.setQty",
                  "consent.set", "growth.coupon", "growth.draw", "points.redeem", "prefs.set", "wishlist.add",
                  "wishlist.remove"]


def test_the_app_runs_with_every_rooms_mutators_and_the_retention_discount(settings, fresh_db):
    hooks = create_app(settings, fresh_db).state.hooks
    assert EVERY_MUTATION == hooks.mutators.names()
    assert (retention_discount,) == hooks.discount_providers


def test_install_is_the_same_every_time():
    first, second = install(), install()
    assert (first.mutators.names(), first.discount_providers) == (second.mutators.names(), second.discount_providers)


def test_an_engine_without_the_wiring_knows_no_mutation(fresh_db):
    with fresh_db.write() as db:
        user = accounts_store.create_user(db, "bare@example.com", "not-a-hash", 0)
    args = msgspec.Raw(msgspec.json.encode({"sku": "MUG", "qty": 1}))
    request = PushRequest(client_id=str(uuid.uuid4()), mutations=[Mutation(id=1, name="cart.add", args=args, at=0)])
    response = engine.push(fresh_db, user, request, SyncLimits(), MutatorTable())
    assert (1, ["unknown-mutation"]) == (response.last_mutation_id, [e.code for e in response.errors])


def test_the_hooks_need_no_route_module():
    """Checkout's providers and the mutators come from the rooms alone: no route module is imported to get them."""
    script = (
        "import sys; from server.wiring import install; hooks = install(); "
        "print(len(hooks.mutators.names()), len(hooks.discount_providers), "
        "sorted(m for m in sys.modules if m.startswith(('server.api', 'server.pages', 'litestar'))))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert f"{len(EVERY_MUTATION)} 1 []" == out.strip()
