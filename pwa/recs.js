// Recommendations on the shop pages, all drawn after first paint (no byte on the first flight):
// - product page: records the view in the synced recently-viewed list (`recent.view`, queued offline like any
//   mutation) and, when the shopper scrolls near the end of the page, shows "Often bought together";
// - home page: "For you" (GET /api/me/recommendations, signed in) and "Recently viewed" from the synced view
//   key `recent` (a view on another device shows here).
// A feature module of the app shell (app.js starts it); texts in server/i18n/messages/recs.json.

import { authed } from "./authed.js";
import { el, fill, onNearView, waitFor } from "./dom.js";
import { say, tr } from "./i18n.js";
import { money } from "./money.js";

const SHOWN = 8;
const ORDER = ["lm-for-you", "lm-recent", "lm-together"]; // sections keep this order whichever loads first

/** A product's summary JSON (the service worker serves it stale-while-revalidate, so offline too). */
async function summary(sku) {
  try {
    const response = await fetch(`/api/products/${encodeURIComponent(sku)}`, { headers: { accept: "application/json" } });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

function thumb(item) {
  const images = item.image || (item.images || [])[0];
  const box = el("span", { class: "thumb", style: images ? `aspect-ratio:${images.width}/${images.height}` : "aspect-ratio:4/3" });
  if (!images) return box;
  if (images.placeholder && images.placeholder.startsWith("data:image/")) box.style.backgroundImage = `url("${images.placeholder}")`;
  const variants = images.variants || [];
  const format = ["webp", "jpg", "jpeg"].find((f) => variants.some((v) => v.format === f));
  const small = variants.filter((v) => v.format === format && v.width <= 320).sort((a, b) => a.width - b.width);
  if (!small.length) return box;
  box.append(el("img", {
    src: small[0].url,
    srcset: small.map((v) => `${v.url} ${v.width}w`).join(", "),
    sizes: "(min-width: 40rem) 12rem, 46vw",
    width: small[0].width,
    height: Math.round((images.height * small[0].width) / Math.max(1, images.width)),
    alt: "",
    loading: "lazy",
    decoding: "async",
  }));
  return box;
}

/** A listing card like the server's (server/pages/html.py _card). */
function card(item) {
  return el("li", {}, el("a", { href: `/p/${encodeURIComponent(item.id)}` },
    thumb(item),
    el("span", { class: "card" }, el("b", {}, item.name),
      el("span", {}, `${money(item.price, item.currency)} · ${tr(`stock.${item.availability}`)}`))));
}

/** A section of cards after the page's last section (appended last: nothing above it moves). */
function section(id, heading, items, ...extra) {
  let box = document.getElementById(id);
  if (!items.length) {
    box?.remove();
    return null;
  }
  if (!box) {
    box = el("section", { id, "aria-labelledby": `${id}-h` });
    const later = ORDER.slice(ORDER.indexOf(id) + 1).map((other) => document.getElementById(other)).find(Boolean);
    if (later) later.before(box);
    else document.querySelector(".wrap")?.append(box);
  }
  return fill(box, el("h2", { id: `${id}-h` }, heading), ...extra, el("ul", { class: "grid" }, items.map(card)));
}

async function boughtTogether(sku) {
  try {
    const response = await fetch(`/api/products/${encodeURIComponent(sku)}/bought-together?limit=4`, { headers: { accept: "application/json" } });
    const items = response.ok ? (await response.json()).items : [];
    section("lm-together", say("recs.together.heading"), items);
  } catch {
    // offline and never saved: the section simply does not show
  }
}

let recentShown = "";

async function renderRecent(client) {
  const value = client.signedIn ? client.view.get("recent") : null;
  const skus = ((value && value.items) || []).map((item) => item.sku).slice(0, SHOWN);
  const key = skus.join(" ");
  if (key === recentShown) return;
  recentShown = key;
  const items = (await Promise.all(skus.map(summary))).filter(Boolean);
  if (key !== recentShown) return; // a newer list arrived meanwhile
  const clear = el("button", { type: "button", class: "lm-btn alt", dataset: { action: "recent-clear" },
    onclick: () => client.mutate("recent.clear", {}) }, say("recs.recent.clear"));
  section("lm-recent", say("recs.recent.heading"), items, el("p", {}, clear));
}

const REVIEW_GAP_MS = 30 * 60 * 1000; // the newest entry already this product, this recently: not a new view

async function productPage(sku) {
  onNearView(document.querySelector("main"), () => boughtTogether(sku), "400px 0px");
  const client = await waitFor("lastmileSync");
  if (!client) return;
  let viewed = false;
  client.subscribe((c) => {
    // Once per page, as soon as the session is known (the client loads it from IndexedDB after start).
    if (viewed || !c.signedIn) return;
    viewed = true;
    // A reload or a step back to the page the shopper just saw is not a new view: queueing one would only
    // add an unsynced change (and a row to push) for nothing.
    const newest = ((c.view.get("recent") || {}).items || [])[0];
    if (newest && newest.sku === sku && Date.now() - newest.at < REVIEW_GAP_MS) return;
    c.mutate("recent.view", { sku }).catch(() => {});
  });
}

let forYouFor = null;

async function renderForYou(client) {
  const who = client.signedIn ? client.session.token : null;
  if (who === forYouFor) return;
  forYouFor = who;
  if (!who) return void section("lm-for-you", "", []);
  try {
    const found = await authed(client, "GET", `/api/me/recommendations?limit=${SHOWN}`);
    if (forYouFor !== who) return;
    section("lm-for-you", say(found.basis === "history" ? "recs.for_you.heading" : "recs.for_you.popular"), found.items);
  } catch {
    forYouFor = null; // offline or the session ended: try again on the next change
  }
}

async function homePage() {
  const client = await waitFor("lastmileSync");
  if (!client) return;
  client.subscribe((c) => {
    renderForYou(c);
    renderRecent(c);
  });
}

/** Feature entry point, called by app.js with its context (see pwa/app.js startFeatures). */
export function start(context = {}) {
  const page = context.page || document.documentElement.dataset.page || "";
  const home = page === "listing" && location.pathname === "/" && !location.search;
  if (page === "product" && context.sku) productPage(context.sku).catch((e) => console.warn("lastmile: recs failed", e));
  else if (home) homePage().catch((e) => console.warn("lastmile: recs failed", e));
}
