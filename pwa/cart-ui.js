// Lastmile shopper pages drawn from the sync client: the header (cart count, unsynced changes, sign in/out),
// the product page's buttons, the cart page and the sign-in page. A feature module of the app shell: app.js
// imports it after first paint and calls start(context), which starts this tab's SyncClient.

import { el, fill } from "./dom.js";
import { tr } from "./i18n.js";
import { money } from "./money.js";
import { MAX_QTY } from "./rebase.js";
import { SyncClient } from "./sync-client.js";

const STYLE = `
.lm-actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.6rem 0}
.lm-btn{font:inherit;padding:.5rem 1rem;border-radius:.5rem;border:1px solid var(--brand,#0b5d4b);background:var(--brand,#0b5d4b);color:#fff;cursor:pointer}
.lm-btn.alt{background:#fff;color:var(--brand,#0b5d4b)}
.lm-btn[disabled]{opacity:.5;cursor:default}
.lm-muted{color:var(--muted,#5b6661);font-size:.9rem}
#lm-account{display:flex;gap:.6rem;align-items:center;font-size:.9rem;white-space:nowrap}
#lm-account button{font:inherit;background:none;border:0;color:#fff;text-decoration:underline;cursor:pointer;padding:0}
.lm-cart{list-style:none;margin:0;padding:0}
.lm-cart li{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;padding:.6rem 0;border-bottom:1px solid var(--line,#e3e7e4)}
.lm-cart .name{flex:1 1 12rem}
.lm-qty{display:inline-flex;align-items:center;gap:.3rem}
.lm-qty button{font:inherit;width:2rem;height:2rem}
.lm-form{display:grid;gap:.6rem;max-width:22rem}
.lm-form input{font:inherit;padding:.45rem .6rem}
.lm-error{color:var(--bad,#b3261e)}
`;

function addStyle() {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
}

const products = new Map();
// Name and price of products this device has shown (product pages, product JSON), so an offline cart can
// still name and price a line whose JSON the service worker never cached. Display only: checkout re-prices.
const SEEN_KEY = "lastmile-products";
const SEEN_MAX = 200;

function seenProducts() {
  try {
    return JSON.parse(localStorage.getItem(SEEN_KEY) || "{}");
  } catch {
    return {};
  }
}

function rememberProduct({ id, name, price, currency }) {
  if (!id || !name || !Number.isInteger(price) || !currency) return;
  const seen = seenProducts();
  delete seen[id]; // re-inserted last: the oldest entries are the first dropped
  seen[id] = { id, name, price, currency };
  const ids = Object.keys(seen);
  for (const old of ids.slice(0, Math.max(0, ids.length - SEEN_MAX))) delete seen[old];
  try {
    localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
  } catch {
    // storage full or refused: the cart just shows the code for this one
  }
}

/** Product JSON for display (name, price); the service worker serves it stale-while-revalidate offline, and
 * what this device has seen of a product fills in when neither the network nor that cache has it. */
function product(sku) {
  if (!products.has(sku)) {
    products.set(
      sku,
      fetch(`/api/products/${encodeURIComponent(sku)}`, { headers: { accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null)
        .then((p) => {
          if (p) rememberProduct(p);
          else products.delete(sku); // try again on the next render
          return p || seenProducts()[sku] || null;
        }),
    );
  }
  return products.get(sku);
}

// The header: cart count, unsynced changes, sign in/out. Built once per sign-in state, then updated in place.
function renderAccount(client, mount, note) {
  if (!mount) return;
  const session = client.session;
  const state = client.signedIn ? "in" : session ? "expired" : "out";
  if (mount.dataset.lmState !== state) {
    mount.dataset.lmState = state;
    fill(mount,
      el("a", { href: "/cart", id: "lm-cart-link" }, `${tr("header.cart")} `, el("span", { id: "lm-cart-count" }, "0")),
      el("span", { id: "lm-sync-status", title: tr("header.unsynced_title") }),
      client.signedIn && LOYALTY ? el("a", { href: "/points", id: "lm-points-link" }, tr("header.points")) : "",
      client.signedIn
        ? el("button", { type: "button", id: "lm-signout", onclick: () => client.signOut() }, tr("header.signout"))
        : el("a", { href: "/signin", id: "lm-signin-link" }, session ? tr("header.signin_again") : tr("header.signin")),
    );
    if (state === "expired") note?.("session", tr("header.session_ended"));
  }
  const pending = client.pending.length;
  mount.querySelector("#lm-cart-count").textContent = String(client.cartCount());
  const status = mount.querySelector("#lm-sync-status");
  status.dataset.pending = String(pending);
  status.textContent = pending ? tr("header.unsynced", { count: pending }) : "";
  renderErrors(client);
}

function renderErrors(client) {
  const errors = client.errors();
  let box = document.getElementById("lm-errors");
  if (!errors.length) {
    box?.remove();
    return;
  }
  if (!box) {
    box = el("div", { id: "lm-errors", role: "alert" });
    document.body.prepend(box);
  }
  fill(box,
    ...errors.map((e) =>
      el(
        "p",
        { class: "note lm-error", dataset: { errorId: String(e.id), code: e.code || "" } },
        tr("error.not_saved", { name: e.name || tr("error.change"), detail: e.detail || e.code }),
        el("button", { type: "button", onclick: () => client.dismissError(e.id) }, tr("error.dismiss")),
      ),
    ),
  );
}

// Product page buttons, built once (focus and clicks survive re-renders) and updated in place.
function renderActions(client, mount) {
  const sku = mount?.dataset.sku;
  if (!sku) return;
  if (!mount.querySelector("[data-action=cart-add]")) {
    const price = document.querySelector(".price[data-minor][data-currency]");
    const name = document.querySelector("main h1");
    if (price && name) rememberProduct({ id: sku, name: name.textContent.trim(), price: Number(price.dataset.minor), currency: price.dataset.currency });
    const stock = document.querySelector(".stock[data-stock]");
    const soldOut = !!stock && Number(stock.dataset.stock) <= 0;
    mount.classList.add("lm-actions");
    fill(mount,
      el(
        "button",
        { type: "button", class: "lm-btn", dataset: { action: "cart-add" }, disabled: soldOut, onclick: () => client.mutate("cart.add", { sku, qty: 1 }) },
        soldOut ? tr("actions.sold_out") : tr("actions.add"),
      ),
      el("button", {
        type: "button",
        class: "lm-btn alt",
        dataset: { action: "wishlist" },
        onclick: () => client.mutate(client.inWishlist(sku) ? "wishlist.remove" : "wishlist.add", { sku }),
      }),
      el("span", { class: "lm-muted", id: "lm-in-cart" }, el("span", { class: "qty" }), " ", el("a", { href: "/cart" }, tr("actions.view_cart"))),
    );
  }
  const line = client.view.get(`cart/${sku}`);
  const wished = client.inWishlist(sku);
  const wish = mount.querySelector("[data-action=wishlist]");
  wish.setAttribute("aria-pressed", wished ? "true" : "false");
  wish.textContent = wished ? tr("actions.saved") : tr("actions.save");
  const inCart = mount.querySelector("#lm-in-cart");
  inCart.dataset.qty = String(line ? line.qty : 0);
  inCart.hidden = !line;
  inCart.querySelector(".qty").textContent = line ? tr("actions.in_cart", { qty: line.qty }) : "";
}

let cartRender = 0;

async function renderCart(client, mount) {
  const ticket = ++cartRender;
  const lines = client.cartLines();
  const details = await Promise.all(lines.map((line) => product(line.sku)));
  if (ticket !== cartRender) return; // a newer render started meanwhile
  const totals = new Map();
  const unpriced = lines.reduce((n, line, i) => n + (details[i] ? 0 : line.qty), 0);
  const items = lines.map((line, i) => {
    const p = details[i];
    if (p) totals.set(p.currency, (totals.get(p.currency) || 0) + p.price * line.qty);
    const current = () => client.view.get(`cart/${line.sku}`)?.qty || 0; // at click time, not render time
    const set = (qty) => client.mutate("cart.setQty", { sku: line.sku, qty: Math.max(0, qty) });
    return el(
      "li",
      { dataset: { sku: line.sku, qty: String(line.qty) } },
      el("a", { class: "name", href: `/p/${encodeURIComponent(line.sku)}` }, p ? p.name : line.sku),
      p ? "" : el("span", { class: "lm-muted unpriced" }, tr("cart.unpriced_line")),
      el(
        "span",
        { class: "lm-qty" },
        el("button", { type: "button", "aria-label": tr("cart.one_less"), dataset: { action: "less" }, onclick: () => set(current() - 1) }, "−"),
        el("output", { class: "qty" }, String(line.qty)),
        el(
          "button",
          { type: "button", "aria-label": tr("cart.one_more"), dataset: { action: "more" }, disabled: line.qty >= MAX_QTY, onclick: () => client.mutate("cart.add", { sku: line.sku, qty: 1 }) },
          "+",
        ),
      ),
      el("span", { class: "line-total" }, p ? money(p.price * line.qty, p.currency) : ""),
      el("button", { type: "button", class: "lm-btn alt", dataset: { action: "remove" }, onclick: () => client.mutate("cart.remove", { sku: line.sku }) }, tr("cart.remove")),
    );
  });
  const wishlist = client.entries("wishlist/");
  const wished = await Promise.all(wishlist.map((w) => product(w.sku)));
  if (ticket !== cartRender) return;
  const redeeming = client.pending.filter((m) => m.name === "points.redeem");
  fill(mount,
    el("h1", {}, tr("cart.title")),
    client.signedIn ? "" : el("p", { class: "lm-muted" }, `${tr("cart.local_only")} `, el("a", { href: "/signin" }, tr("header.signin")), ` ${tr("cart.sign_in_all")}`),
    items.length ? el("ul", { class: "lm-cart", id: "lm-cart-lines" }, items) : el("p", { class: "empty", id: "lm-cart-empty" }, `${tr("cart.empty")} `, el("a", { href: "/" }, tr("cart.browse"))),
    items.length
      ? el(
          "p",
          { id: "lm-cart-total", dataset: { unpriced: String(unpriced) } },
          el("b", {}, `${tr("cart.total")} `),
          [...totals].map(([currency, minor]) => money(minor, currency)).join(" + ") || "—",
          // Never a silent gap: a line whose price this device does not know is named in the total.
          unpriced ? el("span", { id: "lm-cart-unpriced" }, ` ${tr("cart.unpriced_total", { count: unpriced })}`) : "",
          el("span", { class: "lm-muted" }, ` ${tr("cart.confirmed")}`),
        )
      : "",
    items.length ? el("button", { type: "button", class: "lm-btn alt", dataset: { action: "clear" }, onclick: () => client.mutate("cart.clear", {}) }, tr("cart.clear")) : "",
    client.pending.length ? el("p", { class: "lm-muted", id: "lm-pending" }, tr("cart.pending", { count: client.pending.length })) : "",
    redeeming.length ? el("p", { class: "lm-muted" }, tr("cart.redeem_pending", { count: redeeming.length })) : "",
    el("h2", {}, tr("cart.wishlist")),
    wishlist.length
      ? el(
          "ul",
          { class: "lm-cart", id: "lm-wishlist" },
          wishlist.map((w, i) =>
            el(
              "li",
              { dataset: { sku: w.sku } },
              el("a", { class: "name", href: `/p/${encodeURIComponent(w.sku)}` }, wished[i] ? wished[i].name : w.sku),
              el("button", { type: "button", class: "lm-btn alt", onclick: () => client.mutate("wishlist.remove", { sku: w.sku }) }, tr("cart.remove")),
            ),
          ),
        )
      : el("p", { class: "lm-muted" }, tr("cart.wishlist_empty")),
  );
}

function renderSignIn(client, mount) {
  if (client.signedIn) {
    fill(mount,
      el("h1", {}, tr("signin.signed_in")),
      el("p", { id: "lm-signed-in" }, tr("signin.as", { email: client.session.email })),
      el("p", {}, el("a", { href: "/cart" }, tr("signin.go_cart"))),
      el("button", { type: "button", class: "lm-btn alt", onclick: () => client.signOut() }, tr("header.signout")),
    );
    return;
  }
  if (mount.querySelector("form")) return; // keep what the shopper is typing
  const message = el("p", { class: "lm-error", role: "alert", id: "lm-signin-error" });
  const submit = async (event) => {
    event.preventDefault();
    const form = event.target.form || event.target;
    const mode = event.submitter?.value || "login";
    const data = new FormData(form);
    message.textContent = "";
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    try {
      await client.signIn(mode, String(data.get("email")), String(data.get("password")));
      fill(mount);
      renderSignIn(client, mount);
    } catch (error) {
      message.textContent = navigator.onLine ? error.message || tr("signin.failed") : tr("signin.offline");
    } finally {
      for (const b of form.querySelectorAll("button")) b.disabled = false;
    }
  };
  fill(mount,
    el("h1", {}, tr("signin.title")),
    el("p", { class: "lm-muted" }, tr("signin.intro")),
    el(
      "form",
      { class: "lm-form", id: "lm-signin-form", onsubmit: submit },
      el("label", {}, tr("signin.email"), el("br"), el("input", { type: "email", name: "email", required: true, autocomplete: "username", maxlength: "254" })),
      el("label", {}, tr("signin.password"), el("br"), el("input", { type: "password", name: "password", required: true, minlength: "8", autocomplete: "current-password", maxlength: "1024" })),
      el(
        "span",
        { class: "lm-actions" },
        el("button", { type: "submit", class: "lm-btn", name: "mode", value: "login" }, tr("signin.title")),
        el("button", { type: "submit", class: "lm-btn alt", name: "mode", value: "signup" }, tr("signin.create")),
      ),
      message,
    ),
  );
}

let client = null;
let LOYALTY = false; // pwa/loyalty.js is in the bundle: link its pages

/** The page's sync client (one per tab), for other feature modules and tests. */
export function syncClient() {
  return client;
}

/** Feature entry point, called by app.js with its context (see pwa/app.js startFeatures). */
export async function start(context = {}) {
  LOYALTY = (context.assets?.features || []).some((url) => /\/loyalty\.[0-9a-f]+\.js$/.test(url));
  client = new SyncClient(self.LastmileSyncStore, { registration: context.registration || null });
  self.lastmileSync = client;
  addStyle();
  const page = context.page || document.documentElement.dataset.page || "";
  const actions = context.mounts?.actions || document.getElementById("lm-actions");
  const account = context.mounts?.account || document.getElementById("lm-account");
  const cart = page === "cart" ? document.getElementById("lm-cart") : null;
  const signin = page === "signin" ? document.getElementById("lm-signin") : null;
  client.subscribe((c) => {
    renderAccount(c, account, context.note);
    if (actions) renderActions(c, actions);
    if (cart) renderCart(c, cart);
    if (signin) renderSignIn(c, signin);
  });
  await client.start();
  document.documentElement.dataset.sync = "ready";
  return client;
}
