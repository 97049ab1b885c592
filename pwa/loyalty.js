// Lastmile loyalty pages: points and tier, the points mall, order history, and the cart page's way to checkout.
// A feature module of the app shell (app.js calls start(context)). Everything it shows comes from the synced
// view the sync client keeps in IndexedDB (`points`, `orders/{id}`, `coupons/{code}`), so it works offline;
// redeeming is the sync mutation `points.redeem`, queued offline and applied exactly once by the server.

import { authed } from "./authed.js";
import { el, fill, waitFor } from "./dom.js";
import { day, named, text, tr } from "./i18n.js";
import { money } from "./money.js";

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
    );
  }
  const coupons = client.entries("coupons/").sort((a, b) => (a.redeemedAt < b.redeemedAt ? 1 : -1));
  if (coupons.length) {
    mount.append(
      el("h2", {}, tr("loyalty.coupons")),
      el("ul", { id: "lm-coupons" }, coupons.map((c) => el("li", {}, el("code", {}, c.code), ` ${c.name}`, c.usedOrderId ? ` ${tr("loyalty.used_on", { order: c.usedOrderId })}` : ""))),
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
}

// ------------------------------------------------------------------------------------------------ mall

let rewards = null;

async function loadRewards() {
  const response = await fetch("/api/rewards", { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  rewards = (await response.json()).items;
  return rewards;
}

function renderMall(client, mount) {
  if (signInFirst(client, mount, "loyalty.what_mall")) return;
  const balance = client.view.get("points")?.balance ?? 0;
  const waiting = client.pending.filter((m) => m.name === "points.redeem");
  const refused = client.errors().filter((e) => e.name === "points.redeem");
  const items = rewards || [];
  fill(mount,
    el("p", { id: "lm-balance" }, tr("loyalty.you_have", { balance })),
    waiting.length ? el("p", { class: "lm-muted", id: "lm-redeem-waiting" }, tr("loyalty.redeem_waiting", { count: waiting.length })) : null,
    ...refused.map((e) =>
      el("p", { class: "lm-error", role: "alert" }, `${tr("loyalty.not_redeemed", { detail: e.detail })} `, el("button", { type: "button", onclick: () => client.dismissError(e.id) }, tr("loyalty.ok"))),
    ),
    rewards === null
      ? el("p", { class: "lm-muted" }, tr("mall.loading"))
      : items.length
        ? el(
            "ul",
            { id: "lm-rewards" },
            items.map((r) =>
              el(
                "li",
                { "data-reward": r.id },
                el("strong", {}, r.name),
                ` ${tr("loyalty.reward_line", { cost: r.pointsCost, stock: r.stock ? tr("loyalty.left", { count: r.stock }) : tr("loyalty.sold_out") })} `,
                el(
                  "button",
                  { type: "button", class: "lm-btn", disabled: !r.stock || balance < r.pointsCost, onclick: () => client.mutate("points.redeem", { rewardId: r.id }) },
                  tr("loyalty.redeem"),
                ),
              ),
            ),
          )
        : el("p", {}, tr("loyalty.mall_empty")),
  );
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
            el("li", { "data-order": String(o.id) }, el("a", { href: `/orders/${o.id}` }, tr("loyalty.order_line", { id: o.id, date: day(o.createdAt), items: o.items, total: money(o.total, o.currency) })), " ", el("strong", { dataset: { status: o.status } }, named("order.status", o.status)), o.pointsEarned ? ` ${tr("loyalty.order_points", { points: o.pointsEarned })}` : ""),
          ),
        )
      : el("p", {}, tr("loyalty.no_orders")),
  );
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
  const render = { points: renderPoints, mall: renderMall, orders: renderOrders }[page];
  let coupons = -1;
  client.subscribe((c) => {
    render(c, body, say);
    // A redemption came back from the server: stock moved, so ask the mall again.
    const now = c.entries("coupons/").length;
    if (page === "mall" && coupons >= 0 && now !== coupons) loadRewards().then(() => render(c, body, say)).catch(() => {});
    coupons = now;
  });
  if (page === "mall") {
    loadRewards()
      .catch(() => (rewards = rewards || []))
      .then(() => render(client, body, say));
    addEventListener("online", () => loadRewards().then(() => render(client, body, say)).catch(() => {}));
  }
  document.documentElement.dataset.loyalty = "ready";
}
