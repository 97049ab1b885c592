// Texts for people in the page's language (server/i18n/messages/shop.json, the same table the server renders
// from). app.js fetches the hashed texts JSON for <html lang> (precached by the service worker) before any
// feature starts, so tr() is synchronous; a key it lacks reads as itself, which tests would catch.

/** The page's locale, as the server chose it (`en` or `zh-CN`). */
export function lang() {
  return self.document?.documentElement.lang || "en";
}

/** `tr("cart.pending", { count: 2 })`: the shop text `shop.cart.pending` with its `{placeholders}` filled. */
export function tr(key, params = {}) {
  return filled(self.LastmileTexts?.[`shop.${key}`] ?? key, params);
}

/** A text of any area the PWA loads (`say("recs.recent.heading")`), by its full key, placeholders filled. */
export function say(key, params = {}) {
  return filled(self.LastmileTexts?.[key] ?? key, params);
}

function filled(text, params) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A date as the page's locale writes it. */
export function day(iso) {
  return iso ? new Date(iso).toLocaleDateString(lang()) : "";
}

/** A date and time as the page's locale writes them (an order's timeline, a refund's deadline). */
export function moment(iso) {
  return iso ? new Date(iso).toLocaleString(lang(), { dateStyle: "medium", timeStyle: "short" }) : "";
}

/** A tier or an order status by its code, in the page's language (the code itself when the table lacks it). */
export function named(prefix, code) {
  const text = tr(`${prefix}.${code}`);
  return text === `${prefix}.${code}` ? String(code) : text;
}

/** `text("reviews.title")`: a text of another PWA area (returns, reviews: their own message files), with its area
 * in the key and its `{placeholders}` filled. */
export function text(key, params = {}) {
  const found = self.LastmileTexts?.[key] ?? key;
  return found.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The text under a full key built at run time (a badge's name: `perks.badge.${id}`), else `fallback`. */
export function textOr(key, fallback) {
  return self.LastmileTexts?.[key] ?? fallback;
}
