// Lastmile loyalty pages: points, tier and its perks, spending growth (coupons, draws), badges, the points mall
// (pwa/mall.js: tier prices, members-only rewards, a filter by category), order history, and the cart page's way to
// checkout.
// A feature module of the app shell (app.js calls start(context)). Everything it shows comes from the synced
// view the sync client keeps in IndexedDB (`points`, `orders/{id}`, `coupons/{code}`, `draws/{id}`, `badges/{id}`),
// so it works offline; redeeming and spending growth are sync mutations (`points.redeem`, `growth.coupon`,
// `growth.draw`), queued offline and applied exactly once by the server.

import { authed } from "./authed.js";
import { el, fill, waitFor } from "./dom.js";
import { day, lang, named, text, textOr, tr } from "./i18n.js";
import { loadRewards, noRewardsYet, renderMall } from "./mall.js";
import { money } from "./money.js";
import { cashCouponName, couponName, drawPrizeName, prizeName } from "./perk-names.js";

function signInFirst(client, mount, what) {
  if (client.signedIn) return false;
  fill(mount, el("p", {}, `${tr("loyalty.sign_in_to", { what: tr(what) })} `, el("a", { href: "/signin" }, tr("header.signin"))));
  return true;
}

// ------------------------------------------------------------------------------------------------ points

function renderPoints(client, mount, say) {
  if (signInFirst(client, mount, "loyalty.what_points")) return;
  const p = client.view.get("points");
  if (!p) {
    fill(mount, el("p", { class: "lm-muted" }, tr("loyalty.no_points")));
  } else {
    const next = p.nextTier
      ? el("p", {}, `${tr("loyalty.to_next", { growth: p.growthToNext, tier: named("tier", p.nextTier) })} `, el("progress", { max: "1000", value: String(p.progress), "aria-label": tr("loyalty.to_next", { growth: p.growthToNext, tier: named("tier", p.nextTier) }) }))
      : el("p", {}, tr("loyalty.top_tier"));
    const expiring = p.expiring.length
      ? el("ul", { id: "lm-expiring" }, p.expiring.map((lot) => el("li", {}, tr("loyalty.expire", { points: lot.points, date: day(lot.expiresAt) }))))
      : null;
    fill(mount,
      el("p", { id: "lm-balance", class: "lm-big" }, tr("loyalty.balance_big", { balance: p.balance })),
      p.pending ? el("p", { class: "lm-muted" }, tr("loyalty.on_hold", { points: p.pending })) : null,
      el("p", { id: "lm-tier", dataset: { tier: p.tier } }, tr("loyalty.tier_line", { tier: named("tier", p.tier), multiplier: p.multiplier, growth: p.growth })),
      next,
      expiring,
      perksList(p.perks),
    );
  }
  const coupons = client.entries("coupons/").sort((a, b) => (a.redeemedAt < b.redeemedAt ? 1 : -1));
  if (coupons.length) {
    mount.append(
      el("h2", {}, tr("loyalty.coupons")),
      el("ul", { id: "lm-coupons" }, coupons.map((c) => el("li", {}, el("code", {}, c.code), ` ${couponName(c)}`, c.usedOrderId ? ` ${tr("loyalty.used_on", { order: c.usedOrderId })}` : ""))),
    );
  }
  const checkin = el("button", { type: "button", class: "lm-btn", id: "lm-checkin", disabled: !navigator.onLine }, tr("loyalty.checkin"));
  checkin.addEventListener("click", async () => {
    checkin.disabled = true;
    try {
      const result = await authed(client, "POST", "/api/loyalty/checkin");
      say(tr("loyalty.checked_in", { growth: result.growthAdded }));
      client.sync?.();
    } catch (error) {
      say(error.message);
    }
  });
  mount.append(el("p", {}, checkin, " ", el("a", { href: "/mall" }, tr("mall.title")), " · ", el("a", { href: "/orders" }, tr("orders.title"))));
  if (p) mount.append(growthSection(client, p), badgeList(client));
}

// ------------------------------------------------------------------------------------------------ perks, growth, badges

// The tier's perks from the synced `points.perks` (loyalty/perks.py): earn rate, free returns left this year, the
// birthday pack, members-only rewards.
function perksList(perks) {
  if (!perks) return null;
  const pack = perks.birthdayPack;
  const birthday = pack.kind === "coupon"
    ? text("perks.birthday_coupon", { value: money(pack.value, pack.currency) })
    : text("perks.birthday_points", { points: pack.points });
  return [
    el("h2", {}, text("perks.title", { tier: named("tier", perks.tier) })),
    el("ul", { id: "lm-perks" },
      el("li", {}, text("perks.multiplier", { multiplier: perks.multiplier })),
      el("li", { id: "lm-free-returns" }, perks.freeReturnsPerYear
        ? text("perks.free_returns", { left: perks.freeReturnsLeft, total: perks.freeReturnsPerYear })
        : text("perks.no_free_returns")),
      el("li", { id: "lm-birthday-pack" }, birthday),
      perks.exclusiveRewards ? el("li", {}, text("perks.exclusive")) : null,
    ),
  ];
}

let growthShop = null; // GET /api/loyalty/growth-shop: the coupons and lotteries growth buys (published odds)

async function loadGrowthShop() {
  const response = await fetch("/api/loyalty/growth-shop", { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  growthShop = await response.json();
}

const percent = (odds) => `${(odds / 100).toLocaleString(lang(), { maximumFractionDigits: 2 })}%`;

// Spending growth: the sync mutations `growth.coupon` and `growth.draw`, queued offline and applied once.
function growthSection(client, p) {
  const spendable = p.spendableGrowth ?? 0;
  const waiting = client.pending.filter((m) => m.name === "growth.coupon" || m.name === "growth.draw");
  const refused = client.errors().filter((e) => e.name === "growth.coupon" || e.name === "growth.draw");
  const buy = (label, cost, name, args) =>
    el("button", { type: "button", class: "lm-btn", disabled: spendable < cost, onclick: () => client.mutate(name, args) }, label);
  const shop = growthShop === null
    ? el("p", { class: "lm-muted" }, text(navigator.onLine ? "perks.growth.loading" : "perks.growth.offline"))
    : [
        el("h3", {}, text("perks.growth.coupons")),
        el("ul", { id: "lm-growth-coupons" }, growthShop.coupons.map((c) =>
          el("li", { "data-item": c.id }, `${text("perks.growth.coupon_line", { name: cashCouponName(c), growth: c.growth })} `,
            buy(text("perks.growth.buy"), c.growth, "growth.coupon", { itemId: c.id })))),
        ...growthShop.lotteries.filter((l) => l.active).map((l) =>
          el("section", { "data-lottery": l.id },
            el("h3", {}, l.name),
            el("p", {}, text("perks.growth.draw_cost", { growth: l.cost })),
            el("ul", { class: "lm-odds" },
              l.prizes.map((prize) => el("li", {}, text("perks.growth.odds", { prize: prizeName(prize, l.currency), percent: percent(prize.odds) }))),
              el("li", {}, text("perks.growth.nothing", { percent: percent(l.nothingOdds) }))),
            buy(text("perks.growth.draw"), l.cost, "growth.draw", { lotteryId: l.id }))),
      ];
  const draws = client.entries("draws/").sort((a, b) => b.id - a.id).slice(0, 5);
  return el("section", { id: "lm-growth-shop" },
    el("h2", {}, text("perks.growth.title")),
    el("p", { id: "lm-growth" }, text("perks.growth.spendable", { growth: spendable })),
    waiting.length ? el("p", { class: "lm-muted", id: "lm-growth-waiting" }, text("perks.growth.waiting", { count: waiting.length })) : null,
    refused.map((e) => el("p", { class: "lm-error", role: "alert" }, `${text("perks.growth.refused", { detail: e.detail })} `,
      el("button", { type: "button", onclick: () => client.dismissError(e.id) }, text("perks.growth.ok")))),
    shop,
    draws.length
      ? [el("h3", {}, text("perks.growth.draws")), el("ul", { id: "lm-draws" }, draws.map((d) => el("li", { "data-draw": String(d.id) },
          d.kind !== "none" ? text("perks.growth.won", { prize: drawPrizeName(d, d.couponCode ? client.view.get(`coupons/${d.couponCode}`) : null) })
            : text(d.budgetSpent ? "perks.growth.budget_spent" : "perks.growth.lost"))))]
      : null,
  );
}

function badgeList(client) {
  const badges = client.entries("badges/").sort((a, b) => (a.earnedAt < b.earnedAt ? -1 : 1));
  if (!badges.length) return null;
  return el("section", { id: "lm-badges-box" },
    el("h2", {}, text("perks.badges.title")),
    el("ul", { id: "lm-badges" }, badges.map((b) =>
      el("li", { "data-badge": b.id }, text("perks.badges.earned", { badge: textOr(`perks.badge.${b.id}`, b.id), date: day(b.earnedAt) })))));
}

// ------------------------------------------------------------------------------------------------ orders

function renderOrders(client, mount) {
  if (signInFirst(client, mount, "loyalty.what_orders")) return;
  const orders = client.entries("orders/").sort((a, b) => b.id - a.id);
  fill(mount,
    orders.length
      ? el(
          "ul",
          { id: "lm-orders" },
          orders.map((o) =>
            el("li", { "data-order": String(o.id) }, el("a", { href: `/orders/${o.id}` }, tr("loyalty.order_line", { id: o.id, date: day(o.createdAt), items: o.items, total: money(o.total, o.currency) })), " ", orderState(o), o.pointsEarned ? ` ${tr("loyalty.order_points", { points: o.pointsEarned })}` : ""),
          ),
        )
      : el("p", {}, tr("loyalty.no_orders")),
  );
}

// Where an order is, in the shopper's words: its last step reached (shipped is not delivered, and a parcel on its
// way is not "fulfilled"), else its status.
function orderState(o) {
  const step = (o.timeline || []).filter((s) => s.at).pop()?.status;
  return el("strong", { dataset: { status: o.status, step: step || "" } },
    step ? text(`checkout.step.${step}`) : named("order.status", o.status));
}

// ------------------------------------------------------------------------------------------------ checkout

// The cart page leads to /checkout (pwa/checkout.js: address, delivery, payment, review, Place order).
function mountCheckout(client) {
  const cart = document.getElementById("lm-cart");
  if (!cart) return;
  const box = el("section", { id: "lm-cart-checkout" });
  cart.after(box);
  const draw = () => {
    const lines = client.cartLines ? client.cartLines() : client.entries("cart/");
    if (!client.signedIn || !lines.length) return fill(box);
    fill(box, el("p", {}, el("a", { href: "/checkout", class: "lm-btn", id: "lm-checkout-link" }, text("checkout.go_checkout"))));
  };
  client.subscribe(draw);
}

// ------------------------------------------------------------------------------------------------ entry

/** Feature entry point, called by app.js with its context; returns at once (app.js starts features in turn,
 * and the sync client this module draws from may start after it). */
export function start(context = {}) {
  const page = context.page || document.documentElement.dataset.page || "";
  if (!["points", "mall", "orders", "cart"].includes(page)) return;
  waitFor("lastmileSync", 30_000).then((client) => client && mount(client, page, context));
}

function mount(client, page, context) {
  const say = (text) => (context.note ? context.note("loyalty", text) : console.info(text));
  if (page === "cart") {
    mountCheckout(client);
    document.documentElement.dataset.loyalty = "ready";
    return;
  }
  const main = document.getElementById("lm-loyalty");
  if (!main) return;
  // Keep the page's heading; everything below it is drawn here.
  const body = el("div", { id: "lm-loyalty-body" });
  fill(main, main.querySelector("h1"), body);
  const mall = (c, m) => signInFirst(c, m, "loyalty.what_mall") || renderMall(c, m); // no balance to show signed out
  const render = { points: renderPoints, mall, orders: renderOrders }[page];
  let coupons = -1;
  client.subscribe((c) => {
    render(c, body, say);
    // A redemption came back from the server: stock moved, so ask the mall again.
    const now = c.entries("coupons/").length;
    if (page === "mall" && coupons >= 0 && now !== coupons) loadRewards().then(() => render(c, body, say)).catch(() => {});
    coupons = now;
  });
  if (page === "points") {
    const again = () => loadGrowthShop().then(() => render(client, body, say)).catch(() => {});
    again();
    addEventListener("online", again);
  }
  if (page === "mall") {
    loadRewards()
      .catch(noRewardsYet)
      .then(() => render(client, body, say));
    addEventListener("online", () => loadRewards().then(() => render(client, body, say)).catch(() => {}));
  }
  document.documentElement.dataset.loyalty = "ready";
}
