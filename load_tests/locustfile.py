"""A shopper mix for Locust (FastHttpUser): browse, search, product pages and images, synced carts, checkout.

Each simulated shopper signs up with its own account in on_start and signs in two or three devices, each a
sync client of its own. A device pushes cart mutations and the shopper's other devices pull them; a pull
that does not carry the change just pushed is a failure. Checkout sends an Idempotency-Key and retries it
once, as a client on a flaky network would; the retry must replay the same order, and another device's
next pull must carry `orders/{id}`.

Parts of the API that the server under test lacks (found from /schema/openapi.json, or by a probe for
`/p/{id}` and the image variants listed in product JSON) are skipped with one message each, never faked.
Run it through `make load` (load_tests/run.py), which starts a fresh server on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import random
import re
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from gevent.lock import Semaphore
from locust import FastHttpUser, between, events, task

log = logging.getLogger("lastmile.load")

DEVICE_NAMES = ("phone", "tablet", "laptop")
MAX_CART_LINES = 4
LISTING_PAGE = 20
PREFERRED_IMAGE_WIDTH = 640
FORMAT_PREFERENCE = ("avif", "webp", "jpg")  # what a current Chrome would pick from a <picture>
_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Features:
    """What the server under test offers; found once per process."""

    accounts: bool = False
    sync: bool = False
    orders: bool = False
    pages: bool = False
    media: bool = False


@dataclass
class Catalog:
    """Products seen in listings, shared by every simulated shopper of this process."""

    in_stock: dict[str, str] = field(default_factory=dict)  # id -> name
    all_ids: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)

    def learn(self, items: list[dict]) -> None:
        """Remember ids, names and availability from a listing page."""
        for item in items:
            if item["id"] not in self.known:
                self.known.add(item["id"])
                self.all_ids.append(item["id"])
            if item.get("availability") != "out_of_stock":
                self.in_stock[item["id"]] = item["name"]
            else:
                self.in_stock.pop(item["id"], None)
            self.words.update(w.lower() for w in _WORD.findall(item["name"]))


FEATURES: Features | None = None
CATALOG = Catalog()
_features_lock = Semaphore()
_told: dict[str, str] = {}
CHECKS: Counter[str] = Counter()  # protocol checks (a pull carries the change just pushed), passed or failed


def tell_once(key: str, message: str) -> None:
    """Log a skip message once per process (not once per shopper)."""
    if key not in _told:
        _told[key] = message
        log.warning("SKIPPED: %s", message)


@dataclass
class Device:
    """One signed-in device of a shopper: its token and its sync client state."""

    name: str
    token: str
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    next_id: int = 1
    cookie: int | None = None
    pending: list[dict] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Shopper(FastHttpUser):
    """A shopper on a phone, tablet or laptop against 127.0.0.1."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.features = self._features()
        self.etags: dict[str, str] = {}
        self.devices: list[Device] = []
        self.cart: dict[str, int] = {}  # sku -> qty as the server confirmed it
        if not CATALOG.all_ids:
            self.browse_listing()
        if self.features.accounts:
            self._sign_up()
        else:
            tell_once("accounts", "sign-up, devices, cart sync and checkout: /api/auth/signup is not in this server")

    # ---- set-up -------------------------------------------------------------------------------------------

    def _features(self) -> Features:
        global FEATURES
        with _features_lock:
            if FEATURES is None:
                FEATURES = self._probe()
        return FEATURES

    def _probe(self) -> Features:
        with self.client.get("/schema/openapi.json", name="(setup) /schema/openapi.json", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"no OpenAPI document: {r.status_code}")
                return Features()
            paths = set(json.loads(r.content)["paths"])
        found = Features(
            accounts="/api/auth/signup" in paths and "/api/auth/login" in paths,
            sync="/api/sync/push" in paths and "/api/sync/pull" in paths,
            orders="/api/orders" in paths,
        )
        with self.client.get("/api/products?limit=1", name="(setup) /api/products", catch_response=True) as r:
            items = r.json()["items"] if r.status_code == 200 else []
        if items:
            with self.client.get(f"/p/{items[0]['id']}", name="(setup) /p/{id}", catch_response=True) as r:
                found.pages = r.status_code == 200 and "text/html" in r.headers.get("content-type", "")
                r.success()  # a 404 here only means the page route is not in this server
        if not found.pages:
            tell_once("pages", "product pages: GET /p/{id} does not answer HTML here; shoppers open the JSON instead")
        if not found.sync:
            tell_once("sync", "cart sync: /api/sync/push and /api/sync/pull are not in this server")
        if not found.orders:
            tell_once("orders", "checkout: POST /api/orders is not in this server")
        return found

    def _sign_up(self) -> None:
        email = f"shopper-{uuid.uuid4().hex}@load.example.com"
        password = secrets.token_urlsafe(12)
        names = DEVICE_NAMES[: random.choice((2, 3))]
        body = {"email": email, "password": password, "deviceName": names[0]}
        with self.client.post("/api/auth/signup", json=body, catch_response=True) as r:
            if r.status_code != 201:
                r.failure(f"signup answered {r.status_code}: {r.text[:200]}")
                return
            self.devices.append(Device(names[0], r.json()["token"]))
        for name in names[1:]:
            body = {"email": email, "password": password, "deviceName": name}
            with self.client.post("/api/auth/login", json=body, catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"login answered {r.status_code}: {r.text[:200]}")
                    continue
                self.devices.append(Device(name, r.json()["token"]))
        if self.features.sync:
            for device in self.devices:  # first pull: the whole (empty) view and a cookie
                self.pull(device)
            self.sync_cart()  # what brought the shopper to sign up: something for the cart

    # ---- browsing ----------------------------------------------------------------------------------------

    @task(4)
    def browse_listing(self) -> None:
        """The listing, following nextCursor for a page or three."""
        url = f"/api/products?limit={LISTING_PAGE}"
        name = "/api/products"
        for _ in range(random.randint(1, 3)):
            with self.client.get(url, name=name, catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"listing answered {r.status_code}")
                    return
                page = r.json()
            CATALOG.learn(page["items"])
            if not page.get("nextCursor"):
                return
            url = f"/api/products?limit={LISTING_PAGE}&cursor={page['nextCursor']}"
            name = "/api/products?cursor"

    @task(2)
    def search(self) -> None:
        """Search as you type: a prefix, then the whole word."""
        if not CATALOG.words:
            return
        word = random.choice(sorted(CATALOG.words))
        for q in (word[:3], word):
            with self.client.get(f"/api/products?q={q}&limit={LISTING_PAGE}", name="/api/products?q",
                                 catch_response=True) as r:
                if r.status_code != 200:
                    r.failure(f"search answered {r.status_code}")
                    return
                if q == word and not r.json()["items"]:
                    r.failure(f"searching {word!r}, a word of a product name, found nothing")

    @task(6)
    def open_product(self) -> None:
        """A product page (HTML when the server has it, else the JSON), then its first image."""
        if not CATALOG.all_ids:
            return
        product_id = random.choice(CATALOG.all_ids)
        if self.features.pages and random.random() < 0.5:
            with self.client.get(f"/p/{product_id}", name="/p/{id}", catch_response=True) as r:
                if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
                    r.failure(f"product page answered {r.status_code}")
        product = self.product_json(product_id)
        if product is not None:
            self.open_image(product)

    def product_json(self, product_id: str) -> dict | None:
        """GET /api/products/{id}, revalidating with If-None-Match on repeat visits (as the service worker does)."""
        url = f"/api/products/{product_id}"
        headers = {}
        if url in self.etags and random.random() < 0.5:
            headers["If-None-Match"] = self.etags[url]
        with self.client.get(url, name="/api/products/{id}", headers=headers, catch_response=True) as r:
            if r.status_code == 304:
                r.success()
                return None
            if r.status_code != 200:
                r.failure(f"product answered {r.status_code}")
                return None
            if r.headers.get("etag"):
                self.etags[url] = r.headers["etag"]
            return r.json()

    def open_image(self, product: dict) -> None:
        """The variant a browser would pick for the first image (640 px wide, AVIF first)."""
        images = product.get("images") or []
        variants = images[0].get("variants", []) if images else []
        if not variants:
            if images:
                tell_once("media", "product images: product JSON lists no /media/ variants in this server")
            return
        rank = {fmt: i for i, fmt in enumerate(FORMAT_PREFERENCE)}
        variant = min(variants, key=lambda v: (rank.get(v["format"], 9), abs(v["width"] - PREFERRED_IMAGE_WIDTH)))
        with self.client.get(variant["url"], name="/media/{imageId}/{width}.{format}", catch_response=True) as r:
            if r.status_code != 200 or not r.headers.get("content-type", "").startswith("image/"):
                r.failure(f"image answered {r.status_code} {r.headers.get('content-type')}")

    # ---- synced cart -------------------------------------------------------------------------------------

    def push(self, device: Device, name: str, args: dict) -> list[dict] | None:
        """Push one new mutation (with any still pending before it); the errors the server reported, or None."""
        device.pending.append({"id": device.next_id, "name": name, "args": args, "at": int(time.time() * 1000)})
        device.next_id += 1
        body = {"clientId": device.client_id, "schemaVersion": 1, "mutations": device.pending}
        with self.client.post("/api/sync/push", json=body, headers=device.headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"push answered {r.status_code}: {r.text[:200]}")
                return None
            answer = r.json()
            last = answer["lastMutationId"]
            if last != device.pending[-1]["id"]:
                r.failure(f"push stopped at {last}, expected {device.pending[-1]['id']}")
            device.pending = [m for m in device.pending if m["id"] > last]
            return answer.get("errors", [])

    def pull(self, device: Device) -> list[dict] | None:
        """Pull the patch since the device's cookie; the patch, or None on failure."""
        body = {"clientId": device.client_id, "cookie": device.cookie}
        with self.client.post("/api/sync/pull", json=body, headers=device.headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"pull answered {r.status_code}: {r.text[:200]}")
                return None
            answer = r.json()
            device.cookie = answer["cookie"]
            return answer["patch"]

    def change_cart(self) -> tuple[str, dict, str] | None:
        """A cart change a shopper might make now: (mutation name, args, sku)."""
        if self.cart and (len(self.cart) >= MAX_CART_LINES or random.random() < 0.3):
            sku = random.choice(sorted(self.cart))
            if random.random() < 0.5:
                return "cart.remove", {"sku": sku}, sku
            qty = random.choice([q for q in (1, 2, 3) if q != self.cart[sku]])  # a real change, so a pull carries it
            return "cart.setQty", {"sku": sku, "qty": qty}, sku
        if not CATALOG.in_stock:
            return None
        sku = random.choice(sorted(CATALOG.in_stock))
        return "cart.add", {"sku": sku, "qty": 1}, sku

    @task(4)
    def sync_cart(self) -> None:
        """One device changes the cart; every other device pulls and must see the change."""
        if not (self.features.sync and len(self.devices) >= 2):
            return
        change = self.change_cart()
        if change is None:
            return
        name, args, sku = change
        device, *others = random.sample(self.devices, len(self.devices))
        errors = self.push(device, name, args)
        if errors is None:
            return
        if errors:
            if {e["code"] for e in errors} <= {"unavailable"}:
                CATALOG.in_stock.pop(sku, None)  # sold out meanwhile: a real outcome, not a failure
                return
            self.check("a cart change was rejected", False, f"{name} {args} rejected: {errors}")
            return
        if name == "cart.remove":
            self.cart.pop(sku, None)
        elif name == "cart.add":
            self.cart[sku] = min(99, self.cart.get(sku, 0) + 1)
        else:
            self.cart[sku] = args["qty"]
        for other in others:
            patch = self.pull(other)
            if patch is None:
                continue
            self._check_patch(patch, f"cart/{sku}", removed=name == "cart.remove", change=f"{name} {args}")

    def _check_patch(self, patch: list[dict], key: str, removed: bool, change: str) -> None:
        cleared = any(op["op"] == "clear" for op in patch)
        put = any(op["op"] == "put" and op["key"] == key for op in patch)
        deleted = any(op["op"] == "del" and op["key"] == key for op in patch)
        ok = (deleted or (cleared and not put)) if removed else put
        self.check("another device missed a cart change", ok, f"a pull after {change} did not carry {key}: {patch}")

    def check(self, name: str, ok: bool, detail: str) -> None:
        """Count a protocol check; a failed one is reported to Locust as a failure named ``name``."""
        CHECKS[name if not ok else "passed"] += 1
        if not ok:
            self.environment.events.request.fire(
                request_type="CHECK", name=name, response_time=0, response_length=0,
                exception=AssertionError(detail), context={},
            )

    # ---- checkout ----------------------------------------------------------------------------------------

    @task(1)
    def checkout(self) -> None:
        """Check out the synced cart with an Idempotency-Key, then retry the same key as a flaky network would."""
        if not (self.features.orders and self.features.sync and self.devices):
            return
        device = random.choice(self.devices)
        if not self.cart:
            if not CATALOG.in_stock:
                return
            sku = random.choice(sorted(CATALOG.in_stock))
            errors = self.push(device, "cart.add", {"sku": sku, "qty": 1})
            if errors is None or errors:
                return
            self.cart[sku] = 1
        key = uuid.uuid4().hex
        headers = {**device.headers, "Idempotency-Key": key}
        with self.client.post("/api/orders", data=b"{}", headers={**headers, "Content-Type": "application/json"},
                              catch_response=True) as r:
            if r.status_code == 409:
                r.success()  # out of stock: what a shop on sale day says; empty the cart and shop on
                self.cart.clear()
                self.push(device, "cart.clear", {})
                return
            if r.status_code != 201:
                r.failure(f"checkout answered {r.status_code}: {r.text[:200]}")
                return
            order_id = r.json()["id"]
        self.cart.clear()  # checkout empties the synced cart
        with self.client.post("/api/orders", data=b"{}", headers={**headers, "Content-Type": "application/json"},
                              name="/api/orders (retry, same key)", catch_response=True) as r:
            if r.status_code != 201 or r.json().get("id") != order_id:
                r.failure(f"retry with the same key answered {r.status_code}, not the same order {order_id}")
            elif r.headers.get("idempotent-replayed") != "true":
                r.failure("retry with the same key was not marked Idempotent-Replayed")
        others = [d for d in self.devices if d is not device]
        if others:  # the order reaches the shopper's other devices through sync
            patch = self.pull(random.choice(others))
            if patch is not None:
                seen = any(op["op"] == "put" and op["key"] == f"orders/{order_id}" for op in patch)
                self.check("another device missed a new order", seen, f"a pull after checkout lacks orders/{order_id}")


@events.quitting.add_listener
def _report_skips(environment, **_kw) -> None:
    """Repeat the skip messages at the end, where whoever runs the test reads."""
    for key in sorted(_told):
        log.warning("this run skipped %s", _told[key])
    failed = sum(n for name, n in CHECKS.items() if name != "passed")
    log.warning("CHECKS: %d sync checks passed, %d failed", CHECKS["passed"], failed)
