"""The loyalty pages in a real Chromium: points and tier, the mall (redeeming offline, applied once online; its
filter by category), order history, and checkout from the cart page without double orders; the shop's own loyalty
items named in Chinese."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from server.pages.assets import pwa_texts
from tests.browser.axe import serious_violations
from tests.browser_pages import WAIT_MS, api, listed_products, page_in_new_context, sign_up_in_page
from tests.checkout_pages import check_out
from tests.utils import ADMIN_TOKEN

pytestmark = pytest.mark.browser
pytest.importorskip("server.pages.shop", reason="the loyalty pages run inside the PWA shell (issue 4)")
pytest.importorskip("server.pages.client", reason="the loyalty pages are shells of the sync client's pages")


@pytest.fixture(scope="module")
def live_settings(live_settings):
    """Points available at once (no hold), so the pages have something to show."""
    return dataclasses.replace(live_settings, points_hold_days=0)


def admin(live_server, method: str, path: str, body: dict) -> dict:
    return api(live_server, method, path, body, token=ADMIN_TOKEN)


def open_page(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.wait_for_function("document.documentElement.dataset.loyalty === 'ready'", timeout=WAIT_MS)


def test_points_mall_orders_and_checkout(browser, live_server):
    items = listed_products(live_server)
    sku = next(item["id"] for item in items if item["availability"] == "in_stock")
    reward_id = f"pin-{uuid.uuid4().hex[:6]}"
    admin(live_server, "POST", "/api/admin/rewards", {"id": reward_id, "name": "Enamel pin", "kind": "coupon",
                                                      "pointsCost": 400, "stock": 5, "value": 200,
                                                      "currency": items[0]["currency"]})
    lounge = f"lounge-{uuid.uuid4().hex[:6]}"
    admin(live_server, "POST", "/api/admin/rewards", {"id": lounge, "name": "Gold lounge", "kind": "coupon",
                                                      "pointsCost": 1, "minTier": "gold", "stock": 5, "value": 100,
                                                      "currency": items[0]["currency"]})
    lottery = f"draw-{uuid.uuid4().hex[:6]}"  # a sure win, so the drawn row is known
    admin(live_server, "PUT", f"/api/admin/lotteries/{lottery}", {
        "name": "Tea draw", "cost": 1, "dailyBudget": 1_000, "currency": items[0]["currency"],
        "prizes": [{"id": "pts", "kind": "points", "odds": 10_000, "points": 5}]})  # named by the shop
    with page_in_new_context(browser) as page:
        token = sign_up_in_page(page, live_server.url, "loyal").token

        # Checkout from the cart page: the cart line goes in through the sync client, the order out through
        # /checkout, paid by the test card (so it earns its points at once).
        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(sku)}, qty: 1}})")
        order_id = check_out(page, live_server)
        expect(page.locator(".note[data-kind=checkout]")).to_contain_text("placed", timeout=WAIT_MS)
        orders = api(live_server, "GET", "/api/orders", token=token)["items"]
        assert [order_id] == [o["id"] for o in orders]
        balance = api(live_server, "GET", "/api/loyalty/points", token=token)["balance"]
        assert balance > 1_000

        # The first order's badge is announced once, on the page the shopper is on, and marked seen on the server.
        expect(page.locator(".note[data-kind='badge-first-order']")).to_have_text("New badge: First order",
                                                                                 timeout=WAIT_MS)
        # (Often it arrives while /checkout opens the order's page: it is then announced here, on the page that
        # stays, not flashed on the one going away.) `badges.seen` is queued SEEN_AFTER_MS after the note
        # (pwa/badges.js): wait until this device has applied it and the push is acknowledged.
        page.wait_for_function(
            "(() => { const s = window.lastmileSync;"
            " const b = s.entries('badges/').find((x) => x && x.id === 'first-order');"
            " return Boolean(b && b.announcedAt) && s.pending.length === 0; })()",
            timeout=WAIT_MS,
        )
        pulled = api(live_server, "POST", "/api/sync/pull", {"clientId": str(uuid.uuid4()), "cookie": None}, token=token)
        [badge] = [op["value"] for op in pulled["patch"] if op.get("key") == "badges/first-order"]
        assert badge["announcedAt"] is not None

        # Order history from the synced view.
        open_page(page, live_server, "/orders")
        expect(page.locator(f"#lm-orders li[data-order='{order_id}']")).to_contain_text("Paid", timeout=WAIT_MS)

        # Points and tier.
        open_page(page, live_server, "/points")
        expect(page.locator("#lm-balance")).to_have_text(f"{balance} points", timeout=WAIT_MS)
        expect(page.locator("#lm-tier")).to_contain_text("silver")
        expect(page.locator("#lm-perks")).to_contain_text("Free return shipping starts at gold")
        expect(page.locator("#lm-birthday-pack")).to_have_text("On your birthday: 200 points")
        expect(page.locator("#lm-badges li[data-badge='first-order']")).to_contain_text("First order")
        expect(page.locator(".note[data-kind='badge-first-order']")).to_have_count(0)  # announced once only
        # Spending growth: the lottery's published odds, a draw through the sync mutation, its row on the page.
        draw = page.locator(f"#lm-growth-shop section[data-lottery='{lottery}']")
        expect(draw).to_contain_text("5 points: 100%", timeout=WAIT_MS)
        draw.locator("button").click()
        expect(page.locator("#lm-draws li")).to_have_text("Won: 5 points", timeout=WAIT_MS)
        assert balance + 5 == api(live_server, "GET", "/api/loyalty/points", token=token)["balance"]

        # The mall: a redemption made offline waits in the queue and is applied once when back online.
        # It opens on what the shopper can redeem now; the members-only reward is under "All".
        open_page(page, live_server, "/mall")
        button = page.locator(f"#lm-rewards li[data-reward='{reward_id}'] button")
        expect(button).to_be_enabled(timeout=WAIT_MS)
        expect(page.locator("#lm-mall-view-redeemable")).to_be_checked()
        members = page.locator(f"#lm-rewards li[data-reward='{lounge}']")  # a silver shopper cannot redeem it
        expect(members).to_have_count(0)
        page.click("label[for=lm-mall-view-all]")
        expect(members).to_contain_text("for gold members and above")
        expect(members.locator("button")).to_be_disabled()
        page.context.set_offline(True)
        button.click()
        expect(page.locator("#lm-redeem-waiting")).to_be_visible()
        assert balance + 5 == api(live_server, "GET", "/api/loyalty/points", token=token)["balance"]
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("#lm-balance")).to_have_text(f"You have {balance + 5 - 400} points.", timeout=WAIT_MS)
        expect(page.locator("#lm-redeem-waiting")).to_have_count(0, timeout=WAIT_MS)
        assert balance + 5 - 400 == api(live_server, "GET", "/api/loyalty/points", token=token)["balance"]
        coupons = api(live_server, "GET", "/api/loyalty/coupons", token=token)
        assert [reward_id] == [c["rewardId"] for c in coupons]

        open_page(page, live_server, "/points")
        expect(page.locator("#lm-coupons li")).to_contain_text(coupons[0]["code"], timeout=WAIT_MS)


@pytest.mark.parametrize("path", ["/points", "/mall", "/orders"])
def test_a_new_shoppers_loyalty_pages_print_no_null(browser, live_server, path):
    with page_in_new_context(browser) as page:
        sign_up_in_page(page, live_server.url, "loyal")
        open_page(page, live_server, path)
        if path == "/mall":
            expect(page.locator("#lm-balance")).to_have_text("You have 0 points.", timeout=WAIT_MS)
            expect(page.locator("#lm-loyalty-body")).not_to_contain_text("Loading the mall", timeout=WAIT_MS)
        text = page.inner_text("#lm-loyalty")
        assert [] == [word for word in ("null", "undefined") if word in text]


ENGLISH_ITEM_WORDS = ("off", "coupon", "points", "Won", "Birthday")
"""Words of the English names (growth coupons, prizes, loyalty coupons) that a zh-CN page must not show."""


def test_in_chinese_growth_coupons_prizes_draws_and_coupons_are_named_in_chinese(browser, live_server):
    items = listed_products(live_server)
    currency = items[0]["currency"]
    sure = {}  # lotteries with one sure prize, so what is drawn is known; unnamed prizes, which the shop names
    for kind, prize in (("coupon", {"kind": "coupon", "value": 2_000}),
                        ("points", {"kind": "points", "points": 100})):
        sure[kind] = f"zh-{kind}-{uuid.uuid4().hex[:6]}"
        admin(live_server, "PUT", f"/api/admin/lotteries/{sure[kind]}", {
            "name": "幸运抽奖", "cost": 1, "dailyBudget": 100_000, "currency": currency,
            "prizes": [{"id": "sure", "odds": 10_000, **prize}]})
    # Enough spent to buy the €3 growth coupon (300 growth: one per currency unit paid) and a draw in each lottery.
    priciest = max((i for i in items if i["availability"] == "in_stock"), key=lambda i: i["price"])
    with page_in_new_context(browser, locale="zh-CN", viewport={"width": 390, "height": 844}) as page:
        sign_up_in_page(page, live_server.url, "zh-perks")
        qty = -(-31_000 // priciest["price"])
        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(priciest['id'])}, qty: {qty}}})")
        check_out(page, live_server)

        open_page(page, live_server, "/points")
        shop = page.locator("#lm-growth-shop")
        expect(page.locator("#lm-growth-coupons li[data-item='growth-3']")).to_contain_text("立减 €3.00 · 300 成长值",
                                                                                            timeout=WAIT_MS)
        expect(shop.locator(f"section[data-lottery='{sure['coupon']}']")).to_contain_text("€20.00 优惠券：100%")
        expect(shop.locator(f"section[data-lottery='{sure['points']}']")).to_contain_text("100 积分：100%")
        page.click("#lm-growth-coupons li[data-item='growth-3'] button")
        for lottery in sure.values():
            page.click(f"section[data-lottery='{lottery}'] button")
        expect(page.locator("#lm-draws li")).to_have_count(2, timeout=WAIT_MS)
        expect(page.locator("#lm-draws")).to_contain_text("抽中：€20.00 优惠券")
        expect(page.locator("#lm-draws")).to_contain_text("抽中：100 积分")
        coupons = page.locator("#lm-coupons li")
        expect(coupons).to_have_count(2, timeout=WAIT_MS)
        expect(page.locator("#lm-coupons")).to_contain_text("立减 €3.00")
        expect(page.locator("#lm-coupons")).to_contain_text("€20.00 优惠券")
        shown = page.inner_text("#lm-loyalty")
        assert [] == [word for word in ENGLISH_ITEM_WORDS if word in shown]
        assert [] == serious_violations(page)

        # Checkout names the growth coupon in Chinese too (its quote's label is the stored English name).
        growth_code = next(c for c in page.evaluate("window.lastmileSync.entries('coupons/')") if c["source"] == "growth")
        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(priciest['id'])}, qty: 1}})")
        page.goto(f"{live_server.url}/checkout")
        page.wait_for_function("document.documentElement.dataset.checkout === 'ready'", timeout=WAIT_MS)
        page.wait_for_selector("#lm-address-list input[type=radio]:checked", timeout=WAIT_MS)
        page.fill("#lm-checkout-code", growth_code["code"])
        page.press("#lm-checkout-code", "Tab")
        page.click("#lm-review")
        totals = page.locator("#lm-review-totals")
        expect(totals).to_contain_text("优惠（立减 €3.00）", timeout=WAIT_MS)
        assert "off" not in totals.inner_text()
        assert "运费（" in totals.inner_text()
        assert None is re.search(r"[:()]", totals.inner_text())  # Chinese punctuation, not ASCII ': ' and ' (


@pytest.mark.parametrize("locale, names", [
    ("en", ["€3.00 off", "€20.00 coupon", "100 points", "Mystery mug", "€20.00 coupon", "Mystery mug",
            "Birthday gift: €15.00 off", "Tea off", "€5.00 coupon", "€5.00 coupon", "Old name"]),
    ("zh-CN", ["立减 €3.00", "€20.00 优惠券", "100 积分", "Mystery mug", "€20.00 优惠券", "Mystery mug",
               "生日礼：立减 €15.00", "Tea off", "€5.00 优惠券", "€5.00 优惠券", "Old name"]),
])
def test_loyalty_item_names_come_from_their_fields_in_the_pages_language(module_page, locale, names):
    module_page.evaluate("([texts, locale]) => { self.LastmileTexts = texts; document.documentElement.lang = locale; }",
                         [json.loads(pwa_texts(locale)), locale])
    assert names == module_page.evaluate("""async () => {
      const n = await lm.load("perk-names");
      return [
        n.cashCouponName({ id: "growth-3", name: "€3 off", value: 300, currency: "EUR" }),
        n.prizeName({ id: "grand", name: "", kind: "coupon", value: 2000 }, "EUR"),
        n.prizeName({ id: "p", kind: "points", points: 100 }, "EUR"),
        n.prizeName({ id: "mug", name: "Mystery mug", kind: "coupon", value: 500 }, "EUR"),  // the operator's name
        n.couponName({ code: "LW-AB12", name: "", value: 2000, currency: "EUR", source: "lottery" }),
        n.couponName({ code: "LW-AB13", name: "Mystery mug", value: 500, currency: "EUR", source: "lottery" }),
        n.couponName({ code: "BD-AB12", name: "Birthday gift", value: 1500, currency: "EUR", source: "birthday" }),
        n.couponName({ code: "PM-AB12", name: "Tea off", value: 500, currency: "EUR", source: "mall" }),
        // Rows synced before `source`/`currency` existed: the code's prefix, the coupon row's currency.
        n.couponName({ code: "LW-CD34", name: "", value: 500, currency: "EUR" }),
        n.drawPrizeName({ kind: "coupon", value: 500, prizeName: "" }, { currency: "EUR" }),
        n.drawPrizeName({ kind: "coupon", value: 500, prizeName: "Old name" }, null),
      ];
    }""")


def test_in_chinese_the_mall_filters_by_category_pages_a_long_part_and_works_offline(browser, live_server):
    currency = listed_products(live_server)[0]["currency"]
    tag = uuid.uuid4().hex[:6]

    def reward(category: str, i: int, **more) -> str:
        reward_id = f"{category}-{tag}-{i}"
        admin(live_server, "POST", "/api/admin/rewards", {
            "id": reward_id, "name": f"R{i}", "kind": "coupon", "pointsCost": 100 + i, "stock": 5, "value": 100,
            "currency": currency, "category": category, **more})
        return reward_id

    coffee = [reward("coffee", i) for i in range(2)]
    tea = [reward("tea", i) for i in range(3)] + [reward("tea", 3, minTier="gold")]
    toys = [reward("toys", i) for i in range(22)]  # more than a page (pwa/mall.js PAGE_SIZE 20)
    with page_in_new_context(browser, locale="zh-CN", viewport={"width": 390, "height": 844}) as page:
        sign_up_in_page(page, live_server.url, "zh-mall")
        open_page(page, live_server, "/mall")
        rows = page.locator("#lm-rewards li")
        shown = lambda: [li.get_attribute("data-reward") for li in rows.all()]  # noqa: E731

        # No points yet, so nothing to redeem now: the mall opens on its first category, not on 300 rewards.
        expect(page.locator("label[for=lm-mall-view-redeemable]")).to_have_text("可兑换（0）", timeout=WAIT_MS)
        expect(page.locator("#lm-mall-view-category-coffee")).to_be_checked()
        expect(rows).to_have_count(2)
        assert coffee == shown()
        expect(page.locator("label[for=lm-mall-view-category-tea]")).to_have_text("茶（4）")
        expect(page.locator("label[for=lm-mall-view-category-toys]")).to_have_text("玩具（22）")
        filter_text = page.inner_text("#lm-mall-filter")
        assert "显示兑换品" in filter_text and "全部（" in filter_text
        assert None is re.search("[A-Za-z]", filter_text)           # category names translated, no English left
        assert [] == serious_violations(page)

        # By keyboard: the arrow keys move through the chips, and the focus stays on the chosen one.
        page.focus("#lm-mall-view-category-coffee")
        page.keyboard.press("ArrowRight")
        expect(page.locator("#lm-mall-view-category-tea")).to_be_checked()
        expect(rows).to_have_count(4)
        assert tea == shown()
        assert "lm-mall-view-category-tea" == page.evaluate("document.activeElement.id")
        members = page.locator(f"#lm-rewards li[data-reward='{tea[3]}']")
        expect(members).to_contain_text("黄金及以上会员专享")           # the tier label stays
        expect(members.locator("button")).to_be_disabled()

        # A part longer than a page shows 20, then the rest on request (the focus goes to the first new one).
        page.keyboard.press("ArrowRight")
        expect(rows).to_have_count(20)
        expect(page.locator("#lm-mall-shown")).to_have_text("显示 20 项，共 22 项")
        page.click("#lm-mall-more")
        expect(rows).to_have_count(22)
        assert toys == shown()
        assert toys[20] == page.evaluate("document.activeElement.dataset.reward")
        expect(page.locator("#lm-mall-more")).to_have_count(0)

        # Offline, the filter works from what the page has (no request), and the choice outlives a reload.
        page.context.set_offline(True)
        page.click("label[for=lm-mall-view-category-coffee]")
        assert coffee == shown()
        page.context.set_offline(False)
        open_page(page, live_server, "/mall")
        expect(page.locator("#lm-mall-view-category-coffee")).to_be_checked(timeout=WAIT_MS)
        page.click("label[for=lm-mall-view-all]")
        expect(rows).to_have_count(20)                              # everything, still a page at a time
        assert [] == serious_violations(page)


def test_the_mall_filter_offers_redeemable_each_category_and_all(module_page):
    views, first, redeemable = module_page.evaluate("""async () => {
      const m = await lm.load("mall");
      const items = [
        { id: "a", category: "general", pointsCost: 10, stock: 1 },
        { id: "b", category: "tea", pointsCost: 500, stock: 1 },
        { id: "c", category: "coffee", pointsCost: 100, goldCost: 50, stock: 1 },
        { id: "d", category: "coffee", pointsCost: 20, stock: 0 },
        { id: "e", category: "tea", pointsCost: 10, minTier: "diamond", stock: 3 },
      ];
      const views = m.mallViews(items, "gold", 60);
      return [views, [m.defaultView(views), m.defaultView(m.mallViews(items, "silver", 0))],
              m.inView(items, "redeemable", "gold", 60).map((r) => r.id)];
    }""")
    assert [("redeemable", 2), ("category:coffee", 2), ("category:tea", 2), ("category:general", 1), ("all", 5)] \
        == [(v["id"], v["count"]) for v in views]                   # "general" (Other) last
    assert ["redeemable", "category:coffee"] == first               # nothing to redeem: the first category
    assert ["a", "c"] == redeemable                                 # in stock, tier reached, gold price paid


def test_a_redemption_that_empties_what_can_be_redeemed_keeps_the_part_and_the_focus(module_pages):
    page = module_pages()  # a page of its own: mall.js keeps its state per page
    page.evaluate("([texts]) => { self.LastmileTexts = texts; document.documentElement.lang = 'zh-CN'; }",
                  [json.loads(pwa_texts("zh-CN"))])
    steps = page.evaluate("""async () => {
      sessionStorage.clear();                                        // no part chosen: the mall picks one
      const items = [
        { id: "a", name: "A", category: "coffee", pointsCost: 100, stock: 5 },
        { id: "b", name: "B", category: "tea", pointsCost: 300, stock: 5 },
        { id: "c", name: "C", category: "tea", pointsCost: 110, stock: 5 },
      ];
      const m = await lm.load("mall");
      const real = window.fetch;
      window.fetch = async () => new Response(JSON.stringify({ items }), { headers: { "content-type": "application/json" } });
      await m.loadRewards();
      window.fetch = real;
      const mount = document.body.appendChild(document.createElement("div"));
      const points = { balance: 420, tier: "silver" };
      const client = { view: new Map([["points", points]]), pending: [], errors: () => [], mutate() {} };
      const look = () => ({
        part: document.querySelector("#lm-mall-filter input:checked").value,
        rows: [...document.querySelectorAll("#lm-rewards li")].map((li) => li.dataset.reward),
        status: document.getElementById("lm-mall-shown").textContent,
        focus: document.activeElement.dataset.reward || document.activeElement.id,
      });
      const redeemed = (id, balance) => {                            // the server took the points: the view changes
        document.getElementById(`lm-redeem-${id}`).focus();
        points.balance = balance;
        m.renderMall(client, mount);
        return look();
      };
      m.renderMall(client, mount);
      return [look(), redeemed("b", 120), redeemed("c", 10)];
    }""")
    opened, after_b, after_c = steps
    assert ("redeemable", ["a", "b", "c"]) == (opened["part"], opened["rows"])
    # B is no longer affordable and leaves the list: the row now in its place takes the focus.
    assert ("redeemable", ["a", "c"], "c") == (after_b["part"], after_b["rows"], after_b["focus"])
    # Nothing is left to redeem: the part stays (no jump to a category), says why, and its chip has the focus.
    assert ("redeemable", [], "lm-mall-view-redeemable") == (after_c["part"], after_c["rows"], after_c["focus"])
    assert "您现有 10 积分，暂无可兑换的兑换品" in after_c["status"]


def test_queued_redemptions_hold_their_points_so_the_mall_offers_only_what_is_left(module_pages):
    """Offline (or pushed, not yet pulled) redemptions are not in the synced balance yet: the buttons and the
    "can redeem" part count them as spent, so a queue never asks for more than the server will grant."""
    page = module_pages()
    page.evaluate("([texts]) => { self.LastmileTexts = texts; document.documentElement.lang = 'en'; }",
                  [json.loads(pwa_texts("en"))])
    held, steps = page.evaluate("""async () => {
      sessionStorage.clear();
      const items = [
        { id: "a", name: "A", category: "coffee", pointsCost: 100, stock: 5 },
        { id: "b", name: "B", category: "tea", pointsCost: 300, goldCost: 250, stock: 5 },
        { id: "c", name: "C", category: "tea", pointsCost: 110, stock: 5 },
      ];
      const m = await lm.load("mall");
      const queued = (id) => ({ name: "points.redeem", args: { rewardId: id } });
      const held = [m.heldPoints([queued("b"), queued("gone"), { name: "cart.add", args: {} }], items, "silver"),
                    m.heldPoints([queued("b")], items, "gold")];
      const real = window.fetch;
      window.fetch = async () => new Response(JSON.stringify({ items }), { headers: { "content-type": "application/json" } });
      await m.loadRewards();
      window.fetch = real;
      const mount = document.body.appendChild(document.createElement("div"));
      const client = { view: new Map([["points", { balance: 420, tier: "silver" }]]), pending: [], errors: () => [],
                       mutate() {} };
      const look = () => ({
        balance: document.getElementById("lm-balance").textContent,
        rows: [...document.querySelectorAll("#lm-rewards li")].map((li) => li.dataset.reward),
        enabled: [...document.querySelectorAll("#lm-rewards button")].filter((b) => !b.disabled).map((b) => b.id),
      });
      const steps = [];
      for (const queue of [[], ["b"], ["b", "c"]]) {
        client.pending = queue.map(queued);
        m.renderMall(client, mount);
        steps.push(look());
      }
      return [held, steps];
    }""")
    assert [300, 250] == held                            # at the shopper's tier price; unknown rewards hold nothing
    nothing, one, two = steps
    assert (["a", "b", "c"], 3) == (nothing["rows"], len(nothing["enabled"]))
    assert (["a", "c"], ["lm-redeem-a", "lm-redeem-c"]) == (one["rows"], one["enabled"])   # 420 - 300 = 120 left
    assert ([], []) == (two["rows"], two["enabled"])      # 420 - 410 = 10: nothing, the part stays
    assert all("420" in step["balance"] for step in steps)  # the synced balance, as the server has it

def test_signed_out_the_mall_asks_to_sign_in_rather_than_showing_a_balance_of_zero(browser, live_server):
    with page_in_new_context(browser, locale="zh-CN", viewport={"width": 390, "height": 844}) as page:
        open_page(page, live_server, "/mall")
        expect(page.locator("#lm-loyalty-body")).to_contain_text("登录后查看积分商城。", timeout=WAIT_MS)
        expect(page.locator("#lm-loyalty-body a[href='/signin']")).to_have_count(1)
        expect(page.locator("#lm-balance")).to_have_count(0)        # not "您有 0 积分。" beside disabled buttons
        expect(page.locator("#lm-rewards")).to_have_count(0)
