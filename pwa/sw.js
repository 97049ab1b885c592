// Lastmile service worker. The server prepends VERSION, PRECACHE (URLs with content hashes) and the
// importScripts of the worker-side scripts (server/pages/assets.py WORKER_SCRIPTS), so these
// bytes change whenever any shell asset changes and the browser installs the new version beside the old.
/* global VERSION, PRECACHE, OFFLINE_URLS, TEXTS */
const SHELL = `lm-shell-${VERSION}`;
const PAGES = "lm-pages-v1"; // product and listing HTML (stale-while-revalidate / network-first)
const DATA = "lm-data-v1"; // product JSON (stale-while-revalidate)
const IMAGES = "lm-images-v1"; // /media variants (cache-first, expiry + entry cap)
const AHEAD = "lm-ahead-v1"; // product pages saved ahead from a category browsed online (never opened yet)
const RUNTIME = [PAGES, DATA, IMAGES, AHEAD];
// Saving ahead (docs/pwa.md, Deeper offline): at most this many stored bytes (decoded HTML, the inline first
// image included) per category and in all, the oldest saved first out; never with Save-Data on.
const AHEAD_CATEGORY_BYTES = 250_000;
const AHEAD_TOTAL_BYTES = 1_000_000;
const AHEAD_PAGES = 24; // one listing page's products at most
const BYTES = "x-lm-bytes";
const CATEGORY = "x-lm-category";
const NAV_TIMEOUT_MS = 3000; // lie-fi: after this, a saved copy beats waiting
const NAV_GIVE_UP_MS = 20000; // no saved copy: wait this long for the network, then the offline page
const IMAGE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const LIMITS = { [IMAGES]: 200, [PAGES]: 100, [DATA]: 200 };
const STAMP = "x-lm-fetched-at";
const NAV_ACCEPT = "text/html,application/xhtml+xml,image/avif,image/webp,*/*;q=0.8";
const BANNER_MARK = "<!--lm:banner-->";
// A saved page may predate this version: it gets this version's shell module, never a mix of two.
const APP_URL = PRECACHE.map((entry) => entry.url).find((url) => /^\/static\/app\.[0-9a-f]+\.js$/.test(url));
// Sync client: Background Sync pushes pending mutations from IndexedDB (pwa/sync-store.js).
importScripts(PRECACHE.find((entry) => /^\/static\/sync-store\.[0-9a-f]+\.js$/.test(entry.url)).url);
const CLIENT_PAGES = ["/cart", "/signin", "/points", "/mall", "/orders", "/returns", "/checkout"]; // shells the sync client fills (server/pages/client.py)
// Every /orders/{id} is the same shell (pwa/checkout.js reads the id from the address): one saved copy serves all.
const ORDER_PAGE = /^\/orders\/\d+$/;
const ORDER_SHELL = "/orders/1"; // the route takes ids from 1; the shell is the same for any

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(PRECACHE.map((entry) => new Request(entry.url, { cache: "reload" })))),
  );
  // No skipWaiting here: a new version waits until the page asks (app.js offers a reload), so one page
  // never runs with a mix of old and new assets.
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("lm-shell-") && name !== SHELL) await caches.delete(name);
        if (name.startsWith("lm-") && !name.startsWith("lm-shell-") && !RUNTIME.includes(name)) await caches.delete(name);
      }
      await self.clients.claim();
      // The page that registered us was fetched before we existed: save it so the next visit needs no network.
      const windows = await self.clients.matchAll({ type: "window" });
      await Promise.all(windows.map((client) => savePage(client.url).catch(() => {})));
      await saveShells();
    })(),
  );
});

// The language the shopper's pages speak: the last page's Content-Language (the server chose it from the
// lm_locale cookie or Accept-Language), else the browser's languages. It picks the offline page's language.
let pageLocale = null;

function localeOf(tag) {
  const t = String(tag || "").toLowerCase().replace("_", "-");
  if (t === "zh" || t.startsWith("zh-cn") || t.startsWith("zh-hans") || t.startsWith("zh-sg")) return "zh-CN";
  if (t === "en" || t.startsWith("en-")) return "en";
  return null;
}

function workerLocale() {
  return pageLocale || (self.navigator.languages || []).map(localeOf).find(Boolean) || "en";
}

function noteLocale(response) {
  const locale = localeOf(response && response.headers.get("content-language"));
  if (locale) pageLocale = locale;
}

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "SKIP_WAITING") self.skipWaiting();
  // The shopper chose another language: saved pages speak the old one, so they go (they refill as pages are
  // visited again); the page reloads itself once this is done.
  if (event.data && event.data.type === "LOCALE") {
    pageLocale = localeOf(event.data.locale) || pageLocale;
    if (event.data.drop) {
      event.waitUntil(
        Promise.all([caches.delete(PAGES), caches.delete(AHEAD)])
          .then(() => event.source?.postMessage({ type: "locale-dropped" }))
          .then(() => saveShells()), // in the new language (the page set its cookie before asking)
      );
    }
  }
  // AHEAD_IDLE: answered once every category browsed so far has been saved ahead (tests wait on it).
  if (event.data && event.data.type === "AHEAD_IDLE") event.waitUntil(ahead.then(() => event.source?.postMessage({ type: "ahead-idle" })));
  // PING just wakes the worker (tests and the bench attach network emulation to it).
});

function isPage(url) {
  return url.pathname === "/" || url.pathname.startsWith("/p/") || url.pathname.startsWith("/c/") ||
    CLIENT_PAGES.includes(url.pathname) || ORDER_PAGE.test(url.pathname);
}

// The key a page is saved under: its address, or the one order shell for every order page.
function pageKey(href) {
  const url = new URL(href);
  return ORDER_PAGE.test(url.pathname) ? new URL(ORDER_SHELL, location.origin).href : url.href;
}

async function savePage(href) {
  const url = new URL(href);
  if (url.origin !== location.origin || !isPage(url)) return;
  const cache = await caches.open(PAGES);
  if (await cache.match(pageKey(url.href), { ignoreVary: true })) return;
  // A worker's own fetch sends "Accept: */*"; ask like a navigation so the saved page has the same images.
  const response = await fetch(url.href, { credentials: "same-origin", headers: { Accept: NAV_ACCEPT } });
  if (response.ok) await put(PAGES, pageKey(url.href), response);
}

// The shopper's own pages (cart, orders, an order, returns, points, mall, checkout) are shells the sync client
// fills from IndexedDB: saved once, a few KB each, so they open offline even if never visited online (a return
// asked for offline, an order's timeline on the subway). Not with Save-Data on: nothing is fetched ahead then.
async function saveShells() {
  if (self.navigator.connection?.saveData) return;
  for (const path of [...CLIENT_PAGES, ORDER_SHELL]) {
    try {
      await savePage(new URL(path, location.origin).href);
    } catch {
      return; // the network went away: the rest are saved when visited
    }
  }
}

// Store a response with the time it was fetched (the "last fresh" date pages show), keeping caches bounded.
async function put(cacheName, key, response) {
  const headers = new Headers(response.headers);
  headers.set(STAMP, new Date().toISOString());
  headers.delete("content-encoding"); // the body below is already decoded
  headers.delete("content-length");
  const body = await response.blob();
  const cache = await caches.open(cacheName);
  await cache.put(key, new Response(body, { status: response.status, statusText: response.statusText, headers }));
  await trim(cacheName);
}

async function trim(cacheName) {
  const limit = LIMITS[cacheName];
  if (!limit) return;
  const cache = await caches.open(cacheName);
  const keys = await cache.keys(); // insertion order: oldest first
  for (const request of keys.slice(0, Math.max(0, keys.length - limit))) await cache.delete(request);
}

function fetchedAt(response) {
  const stamp = response.headers.get(STAMP);
  const time = stamp ? Date.parse(stamp) : NaN;
  return Number.isNaN(time) ? null : new Date(time);
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// A saved page, marked with when it was last fresh.
async function fromCache(response) {
  const when = fetchedAt(response) || new Date();
  const locale = localeOf(response.headers.get("content-language")) || workerLocale();
  const label = when.toLocaleString(locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  const banner =
    `<p class="note" data-kind="saved" role="status">${escapeHtml(TEXTS[locale]["shop.offline.saved_copy"])} ` +
    `<time datetime="${escapeHtml(when.toISOString())}">${escapeHtml(label)}</time></p>`;
  const html = (await response.text())
    .replace(BANNER_MARK, banner)
    .replace(/\/static\/app\.[0-9a-f]+\.js/g, APP_URL);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  headers.set("x-lm-source", "cache");
  return new Response(html, { status: 200, headers });
}

function timeout(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

async function offline() {
  const cache = await caches.open(SHELL);
  const locale = workerLocale();
  const page = await cache.match(OFFLINE_URLS[locale] || OFFLINE_URLS.en);
  return page || new Response(TEXTS[locale]["shop.offline.plain"], { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
}

async function notifyUpdated(clientId, url, before, after) {
  if (!before || !after || before === after) return;
  const client = clientId && (await self.clients.get(clientId));
  if (client) client.postMessage({ type: "page-updated", url });
}

// Fetch a page from the network and save it; resolves to null when the network fails.
async function fetchPage(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      noteLocale(response);
      await put(PAGES, pageKey(request.url), response.clone());
    }
    return response;
  } catch {
    return null;
  }
}

// Save-Data on (the request's header, or the connection's flag): nothing is fetched ahead.
function saveDataOn(request) {
  return request.headers.get("save-data") === "on" || !!self.navigator.connection?.saveData;
}

// The product pages a category page links to from its main part (not the header or the category chips).
function productLinks(html) {
  const start = html.indexOf("<main");
  const found = [];
  for (const match of html.slice(Math.max(0, start)).matchAll(/href="(\/p\/[^"?#]+)"/g)) {
    const href = new URL(match[1], location.origin).href;
    if (!found.includes(href)) found.push(href);
  }
  return found.slice(0, AHEAD_PAGES);
}

async function storedBytes(cache, category) {
  let used = 0;
  for (const request of await cache.keys()) {
    const saved = await cache.match(request);
    if (saved && (!category || saved.headers.get(CATEGORY) === category)) used += Number(saved.headers.get(BYTES)) || 0;
  }
  return used;
}

// Save a category's product pages not saved yet, one after another, until the category's budget is spent;
// then drop the oldest saved-ahead pages until the whole cache is within its budget.
async function saveCategory(category, html) {
  const pages = await caches.open(PAGES);
  const cache = await caches.open(AHEAD);
  let used = await storedBytes(cache, category);
  for (const href of productLinks(html)) {
    if ((await pages.match(href, { ignoreVary: true })) || (await cache.match(href, { ignoreVary: true }))) continue;
    let response;
    try {
      response = await fetch(href, { credentials: "same-origin", headers: { Accept: NAV_ACCEPT } });
    } catch {
      break; // the network went away: what is saved stays
    }
    if (!response.ok || response.type !== "basic") continue;
    const body = await response.blob();
    if (used + body.size > AHEAD_CATEGORY_BYTES) break;
    used += body.size;
    const headers = new Headers(response.headers);
    headers.set(STAMP, new Date().toISOString());
    headers.set(BYTES, String(body.size));
    headers.set(CATEGORY, category);
    headers.delete("content-encoding");
    headers.delete("content-length");
    await cache.put(href, new Response(body, { status: response.status, statusText: response.statusText, headers }));
  }
  await trimAhead(cache);
}

async function trimAhead(cache) {
  let total = await storedBytes(cache, null);
  for (const request of await cache.keys()) { // insertion order: oldest first
    if (total <= AHEAD_TOTAL_BYTES) break;
    const saved = await cache.match(request);
    total -= Number(saved?.headers.get(BYTES)) || 0;
    await cache.delete(request);
  }
}

let ahead = Promise.resolve(); // one category at a time, in the order they were browsed

function saveAhead(request, response) {
  const url = new URL(request.url);
  if (!url.pathname.startsWith("/c/") || !response.ok || saveDataOn(request)) return Promise.resolve();
  ahead = ahead.then(() => response.text()).then((html) => saveCategory(url.pathname, html)).catch(() => {});
  return ahead;
}

// Product pages: a saved copy at once (no network wait), refreshed in the background. A page saved ahead from
// its category is served the same way; once opened it moves to the pages the shopper has seen.
async function productPage(event) {
  const { request } = event;
  const cache = await caches.open(PAGES);
  let cached = await cache.match(request.url, { ignoreVary: true });
  let early = null;
  if (!cached) {
    early = await caches.open(AHEAD);
    cached = await early.match(request.url, { ignoreVary: true });
  }
  if (cached) {
    const before = cached.headers.get("etag");
    event.waitUntil(
      fetchPage(request).then(async (fresh) => {
        if (fresh && fresh.ok && early) await early.delete(request.url, { ignoreVary: true });
        await notifyUpdated(event.resultingClientId, request.url, before, fresh && fresh.headers.get("etag"));
      }),
    );
    return fromCache(cached);
  }
  return networkFirst(event, null);
}

// Other pages: the network, but a saved copy after NAV_TIMEOUT_MS; the offline page when neither comes.
async function networkFirst(event, cached) {
  const network = fetchPage(event.request);
  if (cached === undefined) cached = await (await caches.open(PAGES)).match(pageKey(event.request.url), { ignoreVary: true });
  const first = await Promise.race([network, timeout(cached ? NAV_TIMEOUT_MS : NAV_GIVE_UP_MS)]);
  if (first) {
    event.waitUntil(saveAhead(event.request, first.clone()));
    return first;
  }
  if (cached) {
    event.waitUntil(network);
    return fromCache(cached);
  }
  return offline();
}

// Product JSON: stale-while-revalidate.
async function staleWhileRevalidate(event) {
  const cache = await caches.open(DATA);
  const cached = await cache.match(event.request);
  const network = fetch(event.request)
    .then(async (response) => {
      if (response.ok) await put(DATA, event.request, response.clone());
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(network);
    return cached;
  }
  return (await network) || new Response(null, { status: 503, statusText: "offline" });
}

// Images: immutable variants, cache-first; entries older than IMAGE_MAX_AGE_MS are fetched again.
async function image(event) {
  const cache = await caches.open(IMAGES);
  const cached = await cache.match(event.request);
  const at = cached && fetchedAt(cached);
  if (cached && at && Date.now() - at.getTime() < IMAGE_MAX_AGE_MS) return cached;
  try {
    const response = await fetch(event.request);
    if (response.ok) event.waitUntil(put(IMAGES, event.request, response.clone()));
    return response;
  } catch (error) {
    if (cached) return cached;
    throw error;
  }
}

async function shellAsset(request) {
  const cached = await caches.match(request, { cacheName: SHELL });
  return cached || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname.startsWith("/p/")) event.respondWith(productPage(event));
    else if (isPage(url)) event.respondWith(networkFirst(event));
    else event.respondWith(fetch(request).catch(() => offline()));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(shellAsset(request));
  } else if (url.pathname.startsWith("/media/")) {
    event.respondWith(image(event));
  } else if (url.pathname.startsWith("/api/products") && !url.searchParams.has("q") && !/\/reviews?$/.test(url.pathname)) {
    // (Reviews go to the network: a shopper who just wrote one must see it, and "my review" is the shopper's own;
    // the page says when it is offline.)
    event.respondWith(staleWhileRevalidate(event));
  }
  // Everything else (sync, auth, orders, admin) goes to the network untouched.
});
