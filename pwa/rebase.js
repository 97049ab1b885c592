// The sync client's pure core: the local mutators (the server's merge rules replayed on the local view),
// rebase (server view + pending mutations) and the hybrid logical clock. No DOM, no IndexedDB, no network:
// sync-client.js runs it over what it keeps in IndexedDB, and tests run it on its own.

export const MAX_QTY = 99; // sync/cart.py MAX_QTY
export const CLOCK_SKEW_MS = 60_000; // sync/limits.py FUTURE_SKEW_MS: later stamps are not trusted
export const MAX_RECENT = 30; // recs/recent.py MAX_RECENT

/** The recently viewed list after a view of `sku` at `at` (recs/recent.py merged: latest at per product,
 * newest first, ties by sku, at most MAX_RECENT, nothing older than the last clear). */
export function recentAfter(value, sku, at) {
  const cleared = (value && value.clearedAt) || 0;
  const latest = new Map(((value && value.items) || []).map((item) => [item.sku, item.at]));
  if (at > cleared) latest.set(sku, Math.max(at, latest.get(sku) || 0));
  const items = [...latest].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, MAX_RECENT);
  return { items: items.map(([s, a]) => ({ sku: s, at: a })), clearedAt: cleared };
}

// Local mutators: the server's merge rules (sync/cart.py, wishlist.py, prefs.py, addresses.py) replayed on the local view.
// The server stays the judge: unknown SKUs or a lost prefs race are corrected by the next pull.

export const MUTATORS = {
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
  "consent.set"(view, { purpose, granted }, m) {
    // sync/consent.py: the last decision (by at, then clientId) wins; shown at once, confirmed by the next pull
    view.set("consents", { ...(view.get("consents") || {}), [purpose]: { granted: !!granted, at: m.at } });
  },
  "recent.view"(view, { sku }, m) {
    view.set("recent", recentAfter(view.get("recent"), sku, m.at));
  },
  "recent.clear"(view, _args, m) {
    const value = view.get("recent") || {};
    const cleared = Math.max(m.at, value.clearedAt || 0);
    view.set("recent", { items: (value.items || []).filter((item) => item.at > cleared), clearedAt: cleared });
  },
  "address.put"(view, address) {
    view.set(`addresses/${address.id}`, address); // sync/addresses.py: a later edit (by at, then clientId) wins
  },
  "address.remove"(view, { id }) {
    view.delete(`addresses/${id}`);
  },
  "points.redeem"() {
    // Only the server knows the balance: shown as pending until the pull brings the new `points`.
  },
  "returns.request"() {
    // Only the server knows the window and the allowance: shown as waiting until the pull brings `returns/{id}`.
  },
  "growth.coupon"() {
    // Only the server knows the growth left: shown as waiting until the pull brings `coupons/…` and `points`.
  },
  "growth.draw"() {
    // The roll is the server's (secrets-grade): the pull brings `draws/{id}`.
  },
  "badges.seen"(view, { badge }, m) {
    // loyalty/badges.py mark_seen: the first announcement's time stays.
    const row = view.get(`badges/${badge}`);
    if (row && !row.announcedAt) view.set(`badges/${badge}`, { ...row, announcedAt: new Date(m.at).toISOString() });
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

/** The clock after seeing a view value from a pull: never behind an `addedAt` seen, unless that is more than
 * CLOCK_SKEW_MS ahead of this device's clock (a skewed device must not drag every later stamp with it). */
export function observe(last, value, now = Date.now()) {
  const at = value && typeof value.addedAt === "number" ? value.addedAt : 0;
  return at > last && at < now + CLOCK_SKEW_MS ? at : last;
}
