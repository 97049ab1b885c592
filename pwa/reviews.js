// Lastmile product reviews: the average rating and the reviews under a product page, and the signed-in shopper's
// own review. A feature module of the app shell (app.js starts it after first paint), so the page's first flight
// is unchanged: nothing is fetched until the reviews' place is near the screen, from
// GET /api/products/{id}/reviews (newest first, keyset cursor; always from the network, so a review just
// written shows, and offline the section says reviews need a connection).
// Writing is PUT /api/products/{id}/review (online; only for products delivered to the shopper, who may rewrite it).

import { authed } from "./authed.js";
import { el, fill, onNearView, waitFor } from "./dom.js";
import { day, text } from "./i18n.js";

const STYLE = `
#lm-reviews{margin:1.5rem 0;max-width:48rem}
#lm-reviews ol{list-style:none;margin:0;padding:0}
#lm-reviews li{padding:.6rem 0;border-bottom:1px solid var(--line,#e3e7e4)}
#lm-reviews .stars{color:#8a5a00;letter-spacing:.1em}
#lm-reviews p{margin:.3rem 0;overflow-wrap:anywhere}
#lm-review-form{display:grid;gap:.5rem;max-width:30rem;margin-top:1rem}
#lm-review-form textarea,#lm-review-form input,#lm-review-form select{font:inherit;padding:.4rem .5rem}
`;

const stars = (rating) => "★".repeat(rating) + "☆".repeat(5 - rating);

function reviewItem(r) {
  return el(
    "li",
    { "data-review": String(r.id) },
    el("span", { class: "stars", role: "img", "aria-label": text("reviews.stars", { rating: r.rating }) }, stars(r.rating)),
    " ",
    el("strong", {}, r.displayName || text("reviews.verified_buyer")),
    el("span", { class: "lm-muted" }, ` · ${day(r.updatedAt)}`),
    el("p", {}, r.text),
  );
}

async function page(sku, cursor) {
  const query = new URLSearchParams({ limit: "10", ...(cursor ? { cursor } : {}) });
  const response = await fetch(`/api/products/${encodeURIComponent(sku)}/reviews?${query}`, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

function summary(data) {
  return data.count
    ? text("reviews.average", { average: data.average.toFixed(1), count: data.count })
    : text("reviews.none");
}

function writeForm(sku, client, onSaved, mine = null) {
  const status = el("p", { class: "lm-muted", role: "status", id: "lm-review-status" });
  const rating = el("select", { id: "lm-review-rating", name: "rating", required: true },
    [5, 4, 3, 2, 1].map((n) => el("option", { value: String(n) }, text("reviews.stars", { rating: n }))));
  const body = el("textarea", { id: "lm-review-text", name: "text", rows: "4", maxlength: "2000", required: true });
  const name = el("input", { id: "lm-review-name", name: "displayName", maxlength: "40", autocomplete: "nickname" });
  const button = el("button", { type: "submit", class: "lm-btn" }, text("reviews.submit"));
  const form = el(
    "form",
    { id: "lm-review-form" },
    el("h3", {}, text("reviews.write")),
    el("label", { for: "lm-review-rating" }, text("reviews.rating")), rating,
    el("label", { for: "lm-review-text" }, text("reviews.text")), body,
    el("label", { for: "lm-review-name" }, text("reviews.display_name")), name,
    el("p", { class: "lm-muted" }, text("reviews.name_hint")),
    button, status,
  );
  if (mine) { // the shopper's review so far: the form rewrites it
    rating.value = String(mine.rating);
    body.value = mine.text;
    name.value = mine.displayName || "";
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!navigator.onLine) return (status.textContent = text("reviews.offline"));
    button.disabled = true;
    try {
      const payload = { rating: Number(rating.value), text: body.value.trim() };
      if (name.value.trim()) payload.displayName = name.value.trim();
      const saved = await authed(client, "PUT", `/api/products/${encodeURIComponent(sku)}/review`, { body: payload });
      status.textContent = saved.created ? text("reviews.thanks", { growth: saved.growthAdded }) : text("reviews.updated");
      onSaved(saved.review);
    } catch (error) {
      status.textContent = error.status === 403 ? text("reviews.not_delivered") : error.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function mount(sku) {
  const main = document.querySelector("main.product");
  if (!main) return;
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
  const heading = el("h2", { id: "lm-reviews-title" }, text("reviews.title"));
  const line = el("p", { id: "lm-rating" }, text("reviews.loading"));
  const list = el("ol", { id: "lm-review-list" });
  const more = el("button", { type: "button", class: "lm-btn alt", id: "lm-reviews-more", hidden: true }, text("reviews.more"));
  const section = el("section", { id: "lm-reviews", "aria-labelledby": "lm-reviews-title" }, heading, line, list, more);
  main.after(section);
  document.documentElement.dataset.reviews = "mounted";
  let cursor = null;
  const load = async () => {
    more.disabled = true;
    try {
      const data = await page(sku, cursor);
      line.textContent = summary(data);
      list.append(...data.items.map(reviewItem));
      cursor = data.nextCursor;
      more.hidden = !cursor;
    } catch {
      line.textContent = navigator.onLine ? text("reviews.failed") : text("reviews.offline");
    } finally {
      more.disabled = false;
      document.documentElement.dataset.reviews = "ready";
    }
  };
  more.addEventListener("click", load);
  onNearView(section, load, "200px");  // below the fold: most visits never pay for it
  // The form is for signed-in shoppers the product was delivered to (asked once online, with their review so
  // far); the sync client reads its session after it starts, so ask then. Others read why there is no form.
  let form = null;
  let asking = false;
  const offerForm = async (client) => {
    if (form || asking || !client.signedIn || !navigator.onLine) return;
    asking = true;
    let mine;
    try {
      mine = await authed(client, "GET", `/api/products/${encodeURIComponent(sku)}/review`);
    } catch {
      asking = false; // asked again when the sync client next changes (online again, signed in again)
      return;
    }
    form = mine.reviewable || mine.review
      ? writeForm(sku, client, (review) => {
        list.querySelector(`[data-review="${review.id}"]`)?.remove();
        list.prepend(reviewItem(review));
      }, mine.review)
      : el("p", { class: "lm-muted", id: "lm-review-not-yet" }, text("reviews.not_delivered"));
    section.append(form);
  };
  waitFor("lastmileSync", 30_000).then((client) => {
    if (!client) return;
    client.subscribe(offerForm);
    offerForm(client);
  });
}

/** Feature entry point (app.js): only product pages have reviews. */
export function start(context = {}) {
  const root = document.documentElement;
  if ((context.page || root.dataset.page) !== "product" || !root.dataset.sku) return;
  mount(root.dataset.sku);
}
