// Lastmile sync client: one browser profile's connection to the server (the Replicache-style protocol of
// docs/sync.md). Mutations are numbered and stored in IndexedDB (pwa/sync-store.js), shown at once through
// rebase (pwa/rebase.js), and pushed when possible; pulls (on start-up, poke, online, visibility, every 60 s)
// bring the server's view and drop what it has applied. No DOM: pwa/cart-ui.js draws the pages.

import { MUTATORS, observe, rebase, tick } from "./rebase.js";
import "./sync-store.js"; // sets self.LastmileSyncStore (a classic script: the service worker importScripts it too)

const CHANNEL = "lastmile-sync";
const PULL_LOCK = "lastmile-pull";
const POLL_MS = 60_000;
const RETRY_MS = [2_000, 5_000, 15_000, 30_000, 60_000];

export class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

/** One browser profile's sync state and the network around it. */
export class SyncClient {
  static rebase = rebase; // for tests that compare the local merge rules with the server's

  constructor(store = self.LastmileSyncStore, { registration = null } = {}) {
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
            seen = observe(seen, op.value); // HLC: never behind what we saw
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
