// Lastmile sync client: the shopper's cart, wishlist and preferences, kept in IndexedDB and in step with the
// server (the Replicache-style protocol of docs/sync.md). Mutations apply at once to the local view and wait
// in IndexedDB until pushed; every pull rebases: server view + patch, then the still-pending mutations.
// A feature module of the app shell: app.js imports it after first paint and calls start(context).

const CHANNEL = "lastmile-sync";
const PULL_LOCK = "lastmile-pull";
const POLL_MS = 60_000;
const RETRY_MS = [2_000, 5_000, 15_000, 30_000, 60_000];
const MAX_QTY = 99; // sync/cart.py MAX_QTY
const CLOCK_SKEW_MS = 60_000; // sync/limits.py FUTURE_SKEW_MS: later stamps are not trusted

// ---------------------------------------------------------------------------------------------------------
// Local mutators: the server's merge rules (sync/cart.py, wishlist.py, prefs.py) replayed on the local view.
// The server stays the judge: unknown SKUs or a lost prefs race are corrected by the next pull.

const MUTATORS = {
  "cart.add"(view, { sku, qty = 1 }, m) {
    const line = view.get(`cart/${sku}`);
    view.set(`cart/${sku}`, { sku, qty: Math.min(MAX_QTY, (line ? line.qty : 0) + qty), addedAt: line ? line.addedAt : m.at });
  },
  "cart.setQty"(view, { sku, qty }, m) {
    const line = view.get(`cart/${sku}`);
    if (qty <= 0) view.delete(`cart/${sku}`);
    else view.set(`cart/${sku}`, { sku, qty: Math.min(MAX_QTY, qty), addedAt: line ? line.addedAt : m.at });
  },
  "cart.remove"(view, { sku }) {
    view.delete(`cart/${sku}`);
  },
  "cart.clear"(view) {
    for (const key of [...view.keys()]) if (key.startsWith("cart/")) view.delete(key);
  },
  "wishlist.add"(view, { sku }, m) {
    if (!view.has(`wishlist/${sku}`)) view.set(`wishlist/${sku}`, { sku, addedAt: m.at });
  },
  "wishlist.remove"(view, { sku }) {
    view.delete(`wishlist/${sku}`);
  },
  "prefs.set"(view, { name, value = null }) {
    view.set(`prefs/${name}`, value); // a later write (by at, then clientId) on another device may win on the server
  },
  "points.redeem"() {
    // Only the server knows the balance: shown as pending until the pull brings the new `points`.
  },
};

/** The view the shopper sees: the server's view with the pending mutations replayed on top (rebase). */
export function rebase(serverView, pending) {
  const view = new Map(serverView);
  for (const m of pending) MUTATORS[m.name]?.(view, m.args, m);
  return view;
}

/** Hybrid logical clock in ms: never behind the wall clock, never behind anything seen, always increasing. */
export function tick(last, now = Date.now()) {
  return Math.max(now, (last || 0) + 1);
}

// ---------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

function waitFor(name, ms = 10_000) {
  return new Promise((resolve, reject) => {
    const until = Date.now() + ms;
    const check = () => {
      if (self[name]) resolve(self[name]);
      else if (Date.now() > until) reject(new Error(`${name} never loaded`));
      else setTimeout(check, 10);
    };
    check();
  });
}

/** One browser profile's sync state and the network around it. */
export class SyncClient {
  static rebase = rebase; // for tests that compare the local merge rules with the server's

  constructor(store, { registration = null } = {}) {
    this.store = store;
    this.registration = registration;
    this.serverView = new Map();
    this.view = new Map();
    this.pending = [];
    this.meta = {};
    this.listeners = new Set();
    this.pulling = null;
    this.pullAgain = false;
    this.source = null;
    this.failures = 0;
    this.retryTimer = null;
    this.pokeTimer = null;
    this.channel = new BroadcastChannel(CHANNEL);
  }

  get session() {
    return this.meta.session || null;
  }

  get signedIn() {
    return !!(this.session && !this.session.expired);
  }

  /** Load the stored state and start syncing: push+pull now, on `online`, on visibility, on poke, every 60 s. */
  async start() {
    await this.ensureClientId();
    await this.refresh();
    this.channel.onmessage = (event) => this.onBroadcast(event.data || {});
    addEventListener("online", () => {
      this.sync();
      this.connectPoke();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.sync();
    });
    setInterval(() => {
      if (document.visibilityState === "visible" && navigator.onLine) this.sync();
    }, POLL_MS);
    this.sync();
    this.leadPokes();
    return this;
  }

  /** One poke stream per browser profile, not per tab (HTTP/1.1 allows six connections per host): the tab
   * holding the Web Lock `lastmile-poke` listens, its pulls reach the other tabs as `changed` messages, and
   * when it closes the lock passes to the next tab. */
  leadPokes() {
    const lead = () => {
      this.pokeLeader = true;
      this.connectPoke();
      return new Promise(() => {}); // held for the life of the page
    };
    if (navigator.locks) navigator.locks.request("lastmile-poke", lead);
    else lead();
  }

  onBroadcast(message) {
    if (message.type === "changed") this.refresh();
    else if (message.type === "pushed") this.pull();
    else if (message.type === "session") {
      this.refresh().then(() => (this.signedIn ? (this.sync(), this.connectPoke()) : this.disconnectPoke()));
    }
  }

  subscribe(fn) {
    this.listeners.add(fn);
    fn(this);
    return () => this.listeners.delete(fn);
  }

  emit() {
    for (const fn of this.listeners) {
      try {
        fn(this);
      } catch (error) {
        console.warn("lastmile: render failed", error);
      }
    }
  }

  tellTabs(type) {
    this.channel.postMessage({ type });
  }

  async ensureClientId() {
    const { run, req } = this.store;
    await run(["meta"], "readwrite", async ({ meta }) => {
      if (!(await req(meta.get("clientId")))) meta.put(crypto.randomUUID(), "clientId");
    });
  }

  /** Re-read IndexedDB (another tab, the service worker or a pull may have changed it) and re-render.
   * ``withView: false`` keeps the in-memory server view (only this tab's own mutation changed). */
  async refresh({ withView = true } = {}) {
    const { run, req } = this.store;
    const state = await run(["meta", "view", "pending"], "readonly", async ({ meta, view, pending }) => {
      const names = ["clientId", "session", "lastMutationId", "pushedThrough", "dismissed", "cookie"];
      const out = { meta: {} };
      for (const name of names) out.meta[name] = await req(meta.get(name));
      if (withView || out.meta.cookie !== this.meta.cookie) {
        out.keys = await req(view.getAllKeys());
        out.values = await req(view.getAll());
      }
      out.pending = await req(pending.getAll(IDBKeyRange.lowerBound(out.meta.lastMutationId || 0, true)));
      return out;
    });
    this.meta = state.meta;
    if (state.keys) this.serverView = new Map(state.keys.map((key, i) => [key, state.values[i]]));
    this.pending = state.pending;
    this.view = rebase(this.serverView, this.pending);
    this.emit();
  }

  /** Record a mutation (id = next in this client's gap-free sequence), show it at once, push it when possible. */
  async mutate(name, args) {
    if (!MUTATORS[name]) throw new Error(`unknown mutation ${name}`);
    const { run, req } = this.store;
    const mutation = await run(["meta", "pending"], "readwrite", async ({ meta, pending }) => {
      // One readwrite transaction: tabs allocating at the same moment are serialised by IndexedDB.
      if (!(await req(meta.get("clientId")))) meta.put(crypto.randomUUID(), "clientId");
      const id = (await req(meta.get("nextMutationId"))) || 1;
      const at = tick(await req(meta.get("hlc")));
      const m = { id, name, args, at };
      pending.put(m);
      meta.put(id + 1, "nextMutationId");
      meta.put(at, "hlc");
      return m;
    });
    await this.refresh({ withView: false });
    this.tellTabs("changed");
    this.requestPush();
    return mutation;
  }

  requestPush() {
    if (this.signedIn && navigator.onLine) this.pushNow();
    this.registerBackgroundSync();
  }

  async registerBackgroundSync() {
    try {
      const registration = this.registration || (await navigator.serviceWorker?.getRegistration());
      if (registration && registration.sync && this.pending.length) await registration.sync.register(this.store.SYNC_TAG);
    } catch {
      // No Background Sync (Firefox, Safari) or not allowed: `online` and start-up pushes cover it.
    }
  }

  /** Push what is pending (tabs and the service worker take turns through a Web Lock), then pull. */
  async pushNow() {
    try {
      const pushed = await this.store.push();
      this.failures = 0;
      if (pushed) await this.pull();
      return pushed;
    } catch (error) {
      if (error instanceof this.store.AuthExpired) await this.refresh();
      else this.retryLater();
      return 0;
    }
  }

  retryLater() {
    if (this.retryTimer) return;
    const delay = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (navigator.onLine) this.sync();
    }, delay);
  }

  async sync() {
    if (!this.signedIn) return;
    await this.pushNow();
    await this.pull();
  }

  /** Pull and rebase; calls made while one runs are folded into one more pull after it. */
  pull() {
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      try {
        do {
          this.pullAgain = false;
          await this.pullOnce();
        } while (this.pullAgain);
      } catch (error) {
        if (!(error instanceof this.store.AuthExpired)) this.retryLater();
      } finally {
        this.pulling = null;
      }
    })();
    return this.pulling;
  }

  async pullOnce() {
    const { run, req, readMeta } = this.store;
    const work = async () => {
      const { session, clientId, cookie } = await readMeta(["session", "clientId", "cookie"]);
      if (!session || session.expired || !clientId) return false;
      let body;
      try {
        body = await this.api("/api/sync/pull", { clientId, cookie: cookie ?? null, schemaVersion: 1 });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          await this.replaceClientId(clientId); // bound to another account on the server: start a new client
          return true;
        }
        throw error;
      }
      return run(["meta", "view", "pending"], "readwrite", async ({ meta, view, pending }) => {
        // Another tab applied a newer pull meanwhile: this patch starts from an old cookie, so drop it.
        if (((await req(meta.get("cookie"))) ?? null) !== (cookie ?? null)) return true;
        if ((await req(meta.get("clientId"))) !== clientId) return true;
        let seen = (await req(meta.get("hlc"))) || 0;
        for (const op of body.patch) {
          if (op.op === "clear") view.clear();
          else if (op.op === "del") view.delete(op.key);
          else if (op.op === "put") {
            view.put(op.value, op.key);
            const at = op.value && typeof op.value.addedAt === "number" ? op.value.addedAt : 0;
            if (at > seen && at < Date.now() + CLOCK_SKEW_MS) seen = at; // HLC: never behind what we saw
          }
        }
        meta.put(body.cookie, "cookie");
        meta.put(body.lastMutationId, "lastMutationId");
        meta.put(seen, "hlc");
        // Acknowledged mutations are in the patch now: drop them; the rest are replayed on top (refresh).
        pending.delete(IDBKeyRange.upperBound(body.lastMutationId));
        const next = (await req(meta.get("nextMutationId"))) || 1;
        if (next <= body.lastMutationId) meta.put(body.lastMutationId + 1, "nextMutationId");
        return true;
      });
    };
    const changed = navigator.locks ? await navigator.locks.request(PULL_LOCK, work) : await work();
    if (changed) {
      await this.refresh();
      this.tellTabs("changed");
    }
  }

  /** A new clientId for this profile, renumbering what is still pending from 1 (the server never saw it). */
  async replaceClientId(oldId) {
    const { run, req } = this.store;
    await run(["meta", "view", "pending"], "readwrite", async ({ meta, view, pending }) => {
      if ((await req(meta.get("clientId"))) !== oldId) return;
      const last = (await req(meta.get("lastMutationId"))) || 0;
      const left = (await req(pending.getAll(IDBKeyRange.lowerBound(last, true)))) || [];
      pending.clear();
      view.clear();
      left.forEach((m, i) => pending.put({ ...m, id: i + 1 }));
      for (const name of ["cookie", "lastMutationId", "pushedThrough"]) meta.delete(name);
      meta.put(left.length + 1, "nextMutationId");
      meta.put(crypto.randomUUID(), "clientId");
    });
  }

  /** POST JSON to the API with this device's token; ApiError with the problem's detail otherwise. */
  async api(path, body, { auth = true } = {}) {
    const headers = { "content-type": "application/json", accept: "application/json" };
    const session = this.session;
    if (auth && session) headers.authorization = `Bearer ${session.token}`;
    const response = await fetch(path, {
      method: "POST",
      headers,
      body: JSON.stringify(body ?? {}),
      cache: "no-store",
      signal: this.store.timeoutSignal(),
    });
    if (response.status === 401 && auth && session) await this.expireSession(session.token);
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      const error = new ApiError(response.status, problem.detail || problem.title || `HTTP ${response.status}`, problem);
      if (response.status === 401 && auth) throw Object.assign(new this.store.AuthExpired(error.message), { status: 401 });
      throw error;
    }
    return response.status === 204 ? null : response.json();
  }

  async expireSession(token) {
    const { run, req } = this.store;
    await run(["meta"], "readwrite", async ({ meta }) => {
      const current = await req(meta.get("session"));
      if (current && current.token === token) meta.put({ ...current, expired: true }, "session");
    });
    this.disconnectPoke();
    await this.refresh();
    this.tellTabs("session");
  }

  /** Sign in or up; another shopper's local data (if any) is wiped, this shopper's pending changes kept. */
  async signIn(mode, email, password) {
    const deviceName = (navigator.userAgentData?.platform || navigator.platform || "browser").slice(0, 60) || "browser";
    const path = mode === "signup" ? "/api/auth/signup" : "/api/auth/login";
    const session = await this.api(path, { email, password, deviceName }, { auth: false });
    const { run, req } = this.store;
    await run(["meta", "view", "pending"], "readwrite", async ({ meta, view, pending }) => {
      const owner = await req(meta.get("owner"));
      if (owner != null && owner !== session.userId) {
        view.clear();
        pending.clear();
        meta.clear();
        meta.put(crypto.randomUUID(), "clientId");
      }
      meta.put({ token: session.token, userId: session.userId, deviceId: session.deviceId, email }, "session");
      meta.put(session.userId, "owner");
    });
    await this.refresh();
    this.tellTabs("session");
    await this.sync();
    this.connectPoke();
    return session;
  }

  /** Push what can be pushed, revoke this device's token, and forget everything this profile kept. */
  async signOut() {
    if (this.signedIn && navigator.onLine) {
      await this.pushNow();
      await this.api("/api/auth/logout", null).catch(() => {});
    }
    this.disconnectPoke();
    const { run } = this.store;
    await run(["meta", "view", "pending"], "readwrite", async ({ meta, view, pending }) => {
      meta.clear();
      view.clear();
      pending.clear();
      meta.put(crypto.randomUUID(), "clientId");
    });
    await this.refresh();
    this.tellTabs("session");
  }

  /** Listen for pokes (server-sent events); EventSource cannot send headers, so a short-lived ticket. */
  async connectPoke() {
    if (!this.pokeLeader || this.source || this.connecting || !this.signedIn || !navigator.onLine || typeof EventSource === "undefined") return;
    this.connecting = true;
    clearTimeout(this.pokeTimer);
    try {
      const { ticket } = await this.api("/api/sync/poke-ticket", {});
      if (!this.signedIn) return;
      const source = new EventSource(`/api/sync/poke?ticket=${encodeURIComponent(ticket)}`);
      this.source = source;
      source.addEventListener("ready", () => this.pull()); // (re)connected: catch up on what was missed
      source.addEventListener("poke", () => this.pull());
      source.onerror = () => {
        if (source.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
        if (this.source === source) this.source = null; // refused (an expired ticket): mint another
        this.pokeTimer = setTimeout(() => this.connectPoke(), 5_000);
      };
    } catch {
      this.pokeTimer = setTimeout(() => this.connectPoke(), 15_000);
    } finally {
      this.connecting = false;
    }
  }

  disconnectPoke() {
    clearTimeout(this.pokeTimer);
    if (this.source) this.source.close();
    this.source = null;
  }

  /** Hide an `errors/{id}` entry on this device (the server keeps only the latest few anyway). */
  async dismissError(id) {
    const { run, req } = this.store;
    await run(["meta"], "readwrite", async ({ meta }) => {
      const dismissed = (await req(meta.get("dismissed"))) || [];
      meta.put([...dismissed.filter((d) => d !== id), id].slice(-50), "dismissed");
    });
    await this.refresh();
    this.tellTabs("changed");
  }

  // Read helpers for the pages.
  entries(prefix) {
    return [...this.view].filter(([key]) => key.startsWith(prefix)).map(([, value]) => value);
  }

  cartLines() {
    return this.entries("cart/").sort((a, b) => (a.addedAt || 0) - (b.addedAt || 0) || (a.sku < b.sku ? -1 : 1));
  }

  cartCount() {
    return this.cartLines().reduce((sum, line) => sum + line.qty, 0);
  }

  inWishlist(sku) {
    return this.view.has(`wishlist/${sku}`);
  }

  errors() {
    const dismissed = new Set(this.meta.dismissed || []);
    return [...this.view]
      .filter(([key]) => key.startsWith("errors/"))
      .map(([, value]) => value)
      .filter((e) => e && !dismissed.has(e.id));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pages: the header (cart count, account), product buttons, the cart page, the sign-in page.

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

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function addStyle() {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
}

const products = new Map();

/** Product JSON for display (name, price); the service worker serves it stale-while-revalidate offline. */
function product(sku) {
  if (!products.has(sku)) {
    products.set(
      sku,
      fetch(`/api/products/${encodeURIComponent(sku)}`, { headers: { accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null)
        .then((p) => {
          if (!p) products.delete(sku); // try again on the next render
          return p;
        }),
    );
  }
  return products.get(sku);
}

function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    const digits = format.resolvedOptions().maximumFractionDigits;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency}`;
  }
}

// The header: cart count, unsynced changes, sign in/out. Built once per sign-in state, then updated in place.
function renderAccount(client, mount, note) {
  if (!mount) return;
  const session = client.session;
  const state = client.signedIn ? "in" : session ? "expired" : "out";
  if (mount.dataset.lmState !== state) {
    mount.dataset.lmState = state;
    mount.replaceChildren(
      el("a", { href: "/cart", id: "lm-cart-link" }, "Cart ", el("span", { id: "lm-cart-count" }, "0")),
      el("span", { id: "lm-sync-status", title: "changes not yet saved to your account" }),
      client.signedIn && LOYALTY ? el("a", { href: "/points", id: "lm-points-link" }, "Points") : "",
      client.signedIn
        ? el("button", { type: "button", id: "lm-signout", onclick: () => client.signOut() }, "Sign out")
        : el("a", { href: "/signin", id: "lm-signin-link" }, session ? "Sign in again" : "Sign in"),
    );
    if (state === "expired") note?.("session", "Your session has ended. Sign in again to save your cart on every device.");
  }
  const pending = client.pending.length;
  mount.querySelector("#lm-cart-count").textContent = String(client.cartCount());
  const status = mount.querySelector("#lm-sync-status");
  status.dataset.pending = String(pending);
  status.textContent = pending ? `· ${pending} unsynced` : "";
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
  box.replaceChildren(
    ...errors.map((e) =>
      el(
        "p",
        { class: "note lm-error", dataset: { errorId: String(e.id), code: e.code || "" } },
        `A change could not be saved (${e.name || "change"}): ${e.detail || e.code}`,
        el("button", { type: "button", onclick: () => client.dismissError(e.id) }, "Dismiss"),
      ),
    ),
  );
}

// Product page buttons, built once (focus and clicks survive re-renders) and updated in place.
function renderActions(client, mount) {
  const sku = mount?.dataset.sku;
  if (!sku) return;
  if (!mount.querySelector("[data-action=cart-add]")) {
    const stock = document.querySelector(".stock[data-stock]");
    const soldOut = !!stock && Number(stock.dataset.stock) <= 0;
    mount.classList.add("lm-actions");
    mount.replaceChildren(
      el(
        "button",
        { type: "button", class: "lm-btn", dataset: { action: "cart-add" }, disabled: soldOut, onclick: () => client.mutate("cart.add", { sku, qty: 1 }) },
        soldOut ? "Sold out" : "Add to cart",
      ),
      el("button", {
        type: "button",
        class: "lm-btn alt",
        dataset: { action: "wishlist" },
        onclick: () => client.mutate(client.inWishlist(sku) ? "wishlist.remove" : "wishlist.add", { sku }),
      }),
      el("span", { class: "lm-muted", id: "lm-in-cart" }, el("span", { class: "qty" }), " ", el("a", { href: "/cart" }, "View cart")),
    );
  }
  const line = client.view.get(`cart/${sku}`);
  const wished = client.inWishlist(sku);
  const wish = mount.querySelector("[data-action=wishlist]");
  wish.setAttribute("aria-pressed", wished ? "true" : "false");
  wish.textContent = wished ? "♥ Saved" : "♡ Save for later";
  const inCart = mount.querySelector("#lm-in-cart");
  inCart.dataset.qty = String(line ? line.qty : 0);
  inCart.hidden = !line;
  inCart.querySelector(".qty").textContent = line ? `${line.qty} in your cart ·` : "";
}

let cartRender = 0;

async function renderCart(client, mount) {
  const ticket = ++cartRender;
  const lines = client.cartLines();
  const details = await Promise.all(lines.map((line) => product(line.sku)));
  if (ticket !== cartRender) return; // a newer render started meanwhile
  const totals = new Map();
  const items = lines.map((line, i) => {
    const p = details[i];
    if (p) totals.set(p.currency, (totals.get(p.currency) || 0) + p.price * line.qty);
    const current = () => client.view.get(`cart/${line.sku}`)?.qty || 0; // at click time, not render time
    const set = (qty) => client.mutate("cart.setQty", { sku: line.sku, qty: Math.max(0, qty) });
    return el(
      "li",
      { dataset: { sku: line.sku, qty: String(line.qty) } },
      el("a", { class: "name", href: `/p/${encodeURIComponent(line.sku)}` }, p ? p.name : line.sku),
      el(
        "span",
        { class: "lm-qty" },
        el("button", { type: "button", "aria-label": "One less", dataset: { action: "less" }, onclick: () => set(current() - 1) }, "−"),
        el("output", { class: "qty" }, String(line.qty)),
        el(
          "button",
          { type: "button", "aria-label": "One more", dataset: { action: "more" }, disabled: line.qty >= MAX_QTY, onclick: () => client.mutate("cart.add", { sku: line.sku, qty: 1 }) },
          "+",
        ),
      ),
      el("span", { class: "line-total" }, p ? money(p.price * line.qty, p.currency) : ""),
      el("button", { type: "button", class: "lm-btn alt", dataset: { action: "remove" }, onclick: () => client.mutate("cart.remove", { sku: line.sku }) }, "Remove"),
    );
  });
  const wishlist = client.entries("wishlist/");
  const wished = await Promise.all(wishlist.map((w) => product(w.sku)));
  if (ticket !== cartRender) return;
  const redeeming = client.pending.filter((m) => m.name === "points.redeem");
  mount.replaceChildren(
    el("h1", {}, "Your cart"),
    client.signedIn ? "" : el("p", { class: "lm-muted" }, "Your cart is kept on this device. ", el("a", { href: "/signin" }, "Sign in"), " to have it on all your devices."),
    items.length ? el("ul", { class: "lm-cart", id: "lm-cart-lines" }, items) : el("p", { class: "empty", id: "lm-cart-empty" }, "Your cart is empty. ", el("a", { href: "/" }, "Browse products")),
    items.length
      ? el(
          "p",
          { id: "lm-cart-total" },
          el("b", {}, "Total: "),
          [...totals].map(([currency, minor]) => money(minor, currency)).join(" + ") || "—",
          el("span", { class: "lm-muted" }, " (prices are confirmed at checkout)"),
        )
      : "",
    items.length ? el("button", { type: "button", class: "lm-btn alt", dataset: { action: "clear" }, onclick: () => client.mutate("cart.clear", {}) }, "Empty the cart") : "",
    client.pending.length ? el("p", { class: "lm-muted", id: "lm-pending" }, `${client.pending.length} change(s) waiting to be saved to your account.`) : "",
    redeeming.length ? el("p", { class: "lm-muted" }, `${redeeming.length} reward redemption(s) pending.`) : "",
    el("h2", {}, "Saved for later"),
    wishlist.length
      ? el(
          "ul",
          { class: "lm-cart", id: "lm-wishlist" },
          wishlist.map((w, i) =>
            el(
              "li",
              { dataset: { sku: w.sku } },
              el("a", { class: "name", href: `/p/${encodeURIComponent(w.sku)}` }, wished[i] ? wished[i].name : w.sku),
              el("button", { type: "button", class: "lm-btn alt", onclick: () => client.mutate("wishlist.remove", { sku: w.sku }) }, "Remove"),
            ),
          ),
        )
      : el("p", { class: "lm-muted" }, "Nothing saved yet."),
  );
}

function renderSignIn(client, mount) {
  if (client.signedIn) {
    mount.replaceChildren(
      el("h1", {}, "Signed in"),
      el("p", { id: "lm-signed-in" }, `You are signed in as ${client.session.email}. Your cart follows you on every device.`),
      el("p", {}, el("a", { href: "/cart" }, "Go to your cart")),
      el("button", { type: "button", class: "lm-btn alt", onclick: () => client.signOut() }, "Sign out"),
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
      mount.replaceChildren();
      renderSignIn(client, mount);
    } catch (error) {
      message.textContent = navigator.onLine ? error.message || "That did not work." : "You are offline: sign in when the network is back.";
    } finally {
      for (const b of form.querySelectorAll("button")) b.disabled = false;
    }
  };
  mount.replaceChildren(
    el("h1", {}, "Sign in"),
    el("p", { class: "lm-muted" }, "Sign in to keep your cart and wishlist on all your devices. New here? Create an account with the same form."),
    el(
      "form",
      { class: "lm-form", id: "lm-signin-form", onsubmit: submit },
      el("label", {}, "Email", el("br"), el("input", { type: "email", name: "email", required: true, autocomplete: "username", maxlength: "254" })),
      el("label", {}, "Password (at least 8 characters)", el("br"), el("input", { type: "password", name: "password", required: true, minlength: "8", autocomplete: "current-password", maxlength: "1024" })),
      el(
        "span",
        { class: "lm-actions" },
        el("button", { type: "submit", class: "lm-btn", name: "mode", value: "login" }, "Sign in"),
        el("button", { type: "submit", class: "lm-btn alt", name: "mode", value: "signup" }, "Create account"),
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
  const storeUrl = (context.assets?.features || []).find((url) => /\/sync-store\.[0-9a-f]+\.js$/.test(url));
  if (!self.LastmileSyncStore && storeUrl) await import(storeUrl);
  const store = self.LastmileSyncStore || (await waitFor("LastmileSyncStore"));
  client = new SyncClient(store, { registration: context.registration || null });
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
