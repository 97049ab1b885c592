// Lastmile loyalty pages: points and tier, the points mall, order history, and checkout on the cart page.
// A feature module of the app shell (app.js calls start(context)). Everything it shows comes from the synced
// view the sync client keeps in IndexedDB (`points`, `orders/{id}`, `coupons/{code}`), so it works offline;
// redeeming is the sync mutation `points.redeem`, queued offline and applied exactly once by the server.

import { authed } from "./authed.js";
import { el, fill, waitFor } from "./dom.js";
import { money } from "./money.js";

const CHECKOUT_KEY = "lastmile-checkout-key";

function day(iso) {
  return iso ? new Date(iso).toLocaleDateString() : "";
}

function signInFirst(client, mount, what) {
  if (client.signedIn) return false;
  fill(mount, el("p", {}, `Sign in to see ${what}. `, el("a", { href: "/signin" }, "Sign in")));
  return true;
}

// ------------------------------------------------------------------------------------------------ points

function renderPoints(client, mount, say) {
  if (signInFirst(client, mount, "your points")) return;
  const p = client.view.get("points");
  if (!p) {
    fill(mount, el("p", { class: "lm-muted" }, "No points yet: your first paid order earns 1,000."));
  } else {
    const next = p.nextTier
      ? el("p", {}, `${p.growthToNext} growth to ${p.nextTier}. `, el("progress", { max: "1000", value: String(p.progress) }))
      : el("p", {}, "You are at the top tier.");
    const expiring = p.expiring.length
      ? el("ul", { id: "lm-expiring" }, p.expiring.map((lot) => el("li", {}, `${lot.points} points expire on ${day(lot.expiresAt)}`)))
      : null;
    fill(mount,
      el("p", { id: "lm-balance", class: "lm-big" }, `${p.balance} points`),
      p.pending ? el("p", { class: "lm-muted" }, `${p.pending} more on hold until returns close`) : null,
      el("p", { id: "lm-tier" }, `Tier: ${p.tier} (×${p.multiplier} points), growth ${p.growth}`),
      next,
      expiring,
    );
  }
  const coupons = client.entries("coupons/").sort((a, b) => (a.redeemedAt < b.redeemedAt ? 1 : -1));
  if (coupons.length) {
    mount.append(
      el("h2", {}, "Your coupons"),
      el("ul", { id: "lm-coupons" }, coupons.map((c) => el("li", {}, el("code", {}, c.code), ` ${c.name}`, c.usedOrderId ? ` (used on order ${c.usedOrderId})` : ""))),
    );
  }
  const checkin = el("button", { type: "button", class: "lm-btn", id: "lm-checkin", disabled: !navigator.onLine }, "Daily check-in");
  checkin.addEventListener("click", async () => {
    checkin.disabled = true;
    try {
      const result = await authed(client, "POST", "/api/loyalty/checkin");
      say(`Checked in: +${result.growthAdded} growth.`);
      client.sync?.();
    } catch (error) {
      say(error.message);
    }
  });
  mount.append(el("p", {}, checkin, " ", el("a", { href: "/mall" }, "Points mall"), " · ", el("a", { href: "/orders" }, "Orders")));
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
  if (signInFirst(client, mount, "the points mall")) return;
  const balance = client.view.get("points")?.balance ?? 0;
  const waiting = client.pending.filter((m) => m.name === "points.redeem");
  const refused = client.errors().filter((e) => e.name === "points.redeem");
  const items = rewards || [];
  fill(mount,
    el("p", { id: "lm-balance" }, `You have ${balance} points.`),
    waiting.length ? el("p", { class: "lm-muted", id: "lm-redeem-waiting" }, `${waiting.length} redemption(s) waiting to sync.`) : null,
    ...refused.map((e) =>
      el("p", { class: "lm-error", role: "alert" }, `Not redeemed: ${e.detail} `, el("button", { type: "button", onclick: () => client.dismissError(e.id) }, "OK")),
    ),
    rewards === null
      ? el("p", { class: "lm-muted" }, "Loading the mall…")
      : items.length
        ? el(
            "ul",
            { id: "lm-rewards" },
            items.map((r) =>
              el(
                "li",
                { "data-reward": r.id },
                el("strong", {}, r.name),
                ` · ${r.pointsCost} points · ${r.stock ? `${r.stock} left` : "sold out"} `,
                el(
                  "button",
                  { type: "button", class: "lm-btn", disabled: !r.stock || balance < r.pointsCost, onclick: () => client.mutate("points.redeem", { rewardId: r.id }) },
                  "Redeem",
                ),
              ),
            ),
          )
        : el("p", {}, "The mall is empty right now."),
  );
}

// ------------------------------------------------------------------------------------------------ orders

function renderOrders(client, mount) {
  if (signInFirst(client, mount, "your orders")) return;
  const orders = client.entries("orders/").sort((a, b) => b.id - a.id);
  fill(mount,
    orders.length
      ? el(
          "ul",
          { id: "lm-orders" },
          orders.map((o) =>
            el("li", { "data-order": String(o.id) }, `Order ${o.id} · ${day(o.createdAt)} · ${o.items} item(s) · ${money(o.total, o.currency)} · `, el("strong", {}, o.status), o.pointsEarned ? ` · +${o.pointsEarned} points` : ""),
          ),
        )
      : el("p", {}, "No orders yet."),
  );
}

// ------------------------------------------------------------------------------------------------ checkout

function mountCheckout(client, say) {
  const cart = document.getElementById("lm-cart");
  if (!cart) return;
  const box = el("section", { id: "lm-checkout" });
  cart.after(box);
  const draw = () => {
    const lines = client.cartLines ? client.cartLines() : client.entries("cart/");
    if (!client.signedIn || !lines.length) return fill(box);
    const button = el("button", { type: "button", class: "lm-btn", id: "lm-place-order" }, "Place order");
    const code = el("input", { name: "code", maxlength: "40", placeholder: "Coupon or offer code", autocomplete: "off" });
    button.addEventListener("click", async () => {
      button.disabled = true;
      // One key per attempt until it succeeds: a retry after a lost response replays, never orders twice.
      const key = localStorage.getItem(CHECKOUT_KEY) || crypto.randomUUID();
      localStorage.setItem(CHECKOUT_KEY, key);
      try {
        await client.pushNow?.();
        const body = code.value.trim() ? { code: code.value.trim() } : {};
        const order = await authed(client, "POST", "/api/orders", { body, headers: { "idempotency-key": key } });
        localStorage.removeItem(CHECKOUT_KEY);
        say(`Order ${order.id} placed: ${money(order.total, order.currency)}.`);
        client.sync?.();
      } catch (error) {
        if (error.status && error.status < 500) localStorage.removeItem(CHECKOUT_KEY);
        say(error.status ? error.message : "No connection: try again when you are online (you will not be charged twice).");
      } finally {
        button.disabled = false;
      }
    });
    fill(box, el("p", {}, code, " ", button));
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
    mountCheckout(client, say);
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
