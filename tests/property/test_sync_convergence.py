"""Stateful property test: devices of one shopper push and pull over a faulty network and converge.

Pushes are lost (before or after the server applied them), duplicated, reordered and sent with gaps;
pulls are lost or arrive late; devices go offline for a while; tombstones get pruned. A reference
model applies exactly what the protocol says the server must apply. After every step the server's
view equals the model's; at the end every device, once back online, holds the server's view, every
acknowledged mutation was applied exactly once and cart quantities equal the model's.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from pathlib import Path

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from accounts import store as accounts_store
from server.settings import Settings
from server.cli.verify import discrepancies
from server.stores import open_database
from server.wiring import install
from sync import engine
from sync import store as sync_store
from sync.cart import MAX_QTY
from sync.limits import SyncLimits
from sync.models import PullRequest, PushRequest
from tests.utils import add_product, apply_patch

SKUS = ["A-1", "B-2", "C-3"]
UNKNOWN = "ZZ-9"  # not in the catalog: a permanent error
LIMITS = SyncLimits()
MUTATORS = install().mutators
DEVICES = 3


class Device:
    """A client as the PWA keeps it: pending mutations, confirmed view, cookie, HLC."""

    def __init__(self, index: int):
        self.client_id = f"device-{index}-{uuid.uuid4()}"
        self.pending: list[dict] = []
        self.next_id = 1
        self.view: dict = {}
        self.cookie: int | None = None
        self.online = True
        self.late_pull: tuple[int | None, dict] | None = None  # (the cookie it was asked with, response)

    def apply_pull(self, asked_with: int | None, response: dict) -> None:
        if asked_with != self.cookie:
            return  # a stale response (a newer pull already moved the cookie): the client drops it
        apply_patch(self.view, response["patch"])
        self.cookie = response["cookie"]
        self.acknowledge(response["lastMutationId"])

    def acknowledge(self, last: int) -> None:
        self.pending = [m for m in self.pending if m["id"] > last]


class Model:
    """What the server must hold: the protocol's push rule applied to plain dicts."""

    def __init__(self):
        self.last: dict[str, int] = {}
        self.cart: dict[str, int] = {}
        self.wishlist: set[str] = set()
        self.prefs: dict[str, tuple[tuple[int, str], object]] = {}
        self.errors: dict[str, set[int]] = {}
        self.applied: dict[tuple[str, int], int] = {}

    def push(self, client_id: str, mutations: list[dict]) -> int:
        last = self.last.get(client_id, 0)
        for m in sorted(mutations, key=lambda m: m["id"]):
            if m["id"] <= last:
                continue
            if m["id"] > last + 1:
                break
            self.apply(client_id, m)
            self.applied[(client_id, m["id"])] = self.applied.get((client_id, m["id"]), 0) + 1
            last = m["id"]
        self.last[client_id] = last
        return last

    def apply(self, client_id: str, m: dict) -> None:
        name, args = m["name"], m["args"]
        sku = args.get("sku")
        if sku == UNKNOWN:
            self.errors.setdefault(client_id, set()).add(m["id"])
        elif name == "cart.add":
            self.cart[sku] = min(MAX_QTY, self.cart.get(sku, 0) + args["qty"])
        elif name == "cart.setQty":
            if args["qty"]:
                self.cart[sku] = args["qty"]
            else:
                self.cart.pop(sku, None)
        elif name == "cart.remove":
            self.cart.pop(sku, None)
        elif name == "cart.clear":
            self.cart.clear()
        elif name == "wishlist.add":
            self.wishlist.add(sku)
        elif name == "wishlist.remove":
            self.wishlist.discard(sku)
        elif name == "prefs.set":
            stamp = (m["at"], client_id)
            held = self.prefs.get(args["name"])
            if held is None or stamp >= held[0]:
                self.prefs[args["name"]] = (stamp, args["value"])

    def view(self) -> dict:
        return {
            **{f"cart/{s}": q for s, q in self.cart.items()},
            **{f"wishlist/{s}": True for s in self.wishlist},
            **{f"prefs/{n}": v for n, (_, v) in self.prefs.items()},
        }


def comparable(view: dict) -> dict:
    """A view reduced to what the model predicts (quantities, membership, values)."""
    out = {}
    for key, value in view.items():
        if key.startswith("cart/"):
            out[key] = value["qty"]
        elif key.startswith("wishlist/"):
            out[key] = True
        elif key.startswith("prefs/"):
            out[key] = value
    return out


mutations = st.one_of(
    st.builds(lambda s, q: ("cart.add", {"sku": s, "qty": q}), st.sampled_from(SKUS + [UNKNOWN]), st.integers(1, 60)),
    st.builds(lambda s, q: ("cart.setQty", {"sku": s, "qty": q}), st.sampled_from(SKUS), st.integers(0, MAX_QTY)),
    st.builds(lambda s: ("cart.remove", {"sku": s}), st.sampled_from(SKUS)),
    st.just(("cart.clear", {})),
    st.builds(lambda s: ("wishlist.add", {"sku": s}), st.sampled_from(SKUS + [UNKNOWN])),
    st.builds(lambda s: ("wishlist.remove", {"sku": s}), st.sampled_from(SKUS)),
    st.builds(lambda n, v: ("prefs.set", {"name": n, "value": v}), st.sampled_from(["theme", "lang"]), st.integers(0, 9)),
)


class SyncNetwork(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.dir = tempfile.TemporaryDirectory()
        self.database = open_database(Settings(data_dir=Path(self.dir.name)))
        for sku in SKUS:
            add_product(self.database, sku, stock=1000)
        with self.database.write() as db:
            self.user_id = accounts_store.create_user(db, "p@example.com", "scrypt$x", 0)
        self.devices = [Device(i) for i in range(DEVICES)]
        self.model = Model()
        self.acknowledged: set[tuple[str, int]] = set()
        self.clock = int(time.time() * 1000) - 10_000_000
        self.now = time.time()

    def teardown(self):
        if hasattr(self, "database"):
            self.database.close()
            self.dir.cleanup()

    # --- the server over the wire (JSON bodies through the engine's own decoder) ---

    def server_push(self, device: Device, batch: list[dict]) -> int:
        body = msgspec.json.encode({"clientId": device.client_id, "mutations": batch})
        response = engine.push(self.database, self.user_id, engine.decode(body, PushRequest), LIMITS, MUTATORS)
        expected = self.model.push(device.client_id, batch)
        assert expected == response.last_mutation_id
        return response.last_mutation_id

    def server_pull(self, device: Device) -> dict:
        body = msgspec.json.encode({"clientId": device.client_id, "cookie": device.cookie})
        response = engine.pull(self.database, self.user_id, engine.decode(body, PullRequest))
        return msgspec.json.decode(msgspec.json.encode(response))

    # --- rules ---

    @rule(d=st.integers(0, DEVICES - 1), mutation=mutations)
    def mutate(self, d, mutation):
        device = self.devices[d]
        self.clock += 7
        name, args = mutation
        device.pending.append({"id": device.next_id, "name": name, "args": args, "at": self.clock + d})
        device.next_id += 1

    @precondition(lambda self: any(dev.pending and dev.online for dev in self.devices))
    @rule(d=st.integers(0, DEVICES - 1), fault=st.sampled_from(["ok", "lost-request", "lost-response", "duplicate", "reordered", "gap", "partial"]), seed=st.integers(0, 2**16))
    def push(self, d, fault, seed):
        device = self.devices[d]
        if not device.online or not device.pending:
            return
        batch = list(device.pending)
        rng = random.Random(seed)
        if fault == "lost-request":
            return
        if fault == "reordered":
            rng.shuffle(batch)
        elif fault == "gap" and len(batch) > 1:
            del batch[0]
        elif fault == "partial":
            batch = batch[: rng.randint(1, len(batch))]
        last = self.server_push(device, batch)
        if fault == "duplicate":
            assert last == self.server_push(device, batch)
        if fault == "lost-response":
            return
        self.acknowledged |= {(device.client_id, m["id"]) for m in batch if m["id"] <= last}
        device.acknowledge(last)

    @precondition(lambda self: any(dev.online for dev in self.devices))
    @rule(d=st.integers(0, DEVICES - 1), fault=st.sampled_from(["ok", "lost", "late", "deliver-late"]))
    def pull(self, d, fault):
        device = self.devices[d]
        if not device.online:
            return
        if fault == "deliver-late":
            if device.late_pull is not None:
                device.apply_pull(*device.late_pull)
                device.late_pull = None
            return
        asked_with = device.cookie
        response = self.server_pull(device)
        if fault == "ok":
            device.apply_pull(asked_with, response)
        elif fault == "late":
            device.late_pull = (asked_with, response)

    @rule(d=st.integers(0, DEVICES - 1))
    def toggle_online(self, d):
        self.devices[d].online = not self.devices[d].online

    @rule()
    def prune_tombstones(self):
        self.now += 31 * 86_400
        engine.prune_tombstones(self.database, older_than_days=30, now=self.now)

    # --- checks ---

    @invariant()
    def server_matches_model(self):
        if not hasattr(self, "database"):
            return
        server = sync_store.get_view(self.database.read(), self.user_id)
        assert self.model.view() == comparable(server)
        for device in self.devices:
            found = sync_store.client(self.database.read(), device.client_id)
            assert self.model.last.get(device.client_id, 0) == (found[1] if found else 0)

    @invariant()
    def applied_at_most_once(self):
        if hasattr(self, "model"):
            assert all(1 == n for n in self.model.applied.values())

    def converge(self):
        for device in self.devices:
            device.online = True
            device.late_pull = None
            for _ in range(3):
                if device.pending:
                    device.acknowledge(self.server_push(device, list(device.pending)))
            assert [] == device.pending
        server = sync_store.get_view(self.database.read(), self.user_id)
        for device in self.devices:
            device.apply_pull(device.cookie, self.server_pull(device))
            shared = {k: v for k, v in device.view.items() if not k.startswith("errors/")}
            assert server == shared
            errors = {int(k.split("/")[1]) for k in device.view if k.startswith("errors/")}
            expected = sorted(self.model.errors.get(device.client_id, set()))[-20:]
            assert set(expected) == errors
        assert self.model.view() == comparable(server)
        assert {k: v for k, v in self.model.cart.items()} == {k[5:]: v["qty"] for k, v in server.items() if k.startswith("cart/")}
        for key in self.acknowledged:
            assert 1 == self.model.applied.get(key)
        assert [] == discrepancies(self.database)  # `lastmile verify` over the converged state

    @rule()
    def everyone_back_online_and_synced(self):
        self.converge()


SyncNetwork.TestCase.settings = settings(
    max_examples=40, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_devices_converge = SyncNetwork.TestCase


def test_final_convergence_after_a_long_random_run():
    """One long deterministic run ending with convergence (the machine's rule also converges mid-run)."""
    machine = SyncNetwork()
    machine.start()
    rng = random.Random(5)
    try:
        for step in range(400):
            choice = rng.random()
            d = rng.randrange(DEVICES)
            if choice < 0.45:
                kind = rng.choice(["cart.add", "cart.setQty", "cart.remove", "wishlist.add", "prefs.set"])
                args = {
                    "cart.add": {"sku": rng.choice(SKUS + [UNKNOWN]), "qty": rng.randint(1, 5)},
                    "cart.setQty": {"sku": rng.choice(SKUS), "qty": rng.randint(0, 9)},
                    "cart.remove": {"sku": rng.choice(SKUS)},
                    "wishlist.add": {"sku": rng.choice(SKUS)},
                    "prefs.set": {"name": "theme", "value": rng.randint(0, 3)},
                }[kind]
                machine.mutate(d, (kind, args))
            elif choice < 0.75:
                machine.push(d, rng.choice(["ok", "lost-request", "lost-response", "duplicate", "reordered", "gap", "partial"]), rng.randrange(2**16))
            elif choice < 0.95:
                machine.pull(d, rng.choice(["ok", "lost", "late", "deliver-late"]))
            else:
                machine.toggle_online(d)
            machine.server_matches_model()
        machine.converge()
    finally:
        machine.teardown()
