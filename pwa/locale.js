// The shop's language on this device: the `lm_locale` cookie (which the server renders pages by) kept equal to
// the shopper's synced `prefs/locale`, the footer's language links, and saved pages that speak the old language.
// A feature module of the app shell (app.js calls start(context)).

import { waitFor } from "./dom.js";
import { lang } from "./i18n.js";

const SUPPORTED = ["en", "zh-CN"];
const COOKIE = "lm_locale";
const MAX_AGE = 400 * 24 * 3600; // server/pages/locale.py COOKIE_MAX_AGE
const RELOADED = "lm-locale-reloaded";

function cookieLocale() {
  const match = document.cookie.match(/(?:^|;\s*)lm_locale=([^;]+)/);
  const value = match ? decodeURIComponent(match[1]) : null;
  return SUPPORTED.includes(value) ? value : null;
}

function setCookie(locale) {
  document.cookie = `${COOKIE}=${encodeURIComponent(locale)}; path=/; max-age=${MAX_AGE}; samesite=lax`;
}

// This page speaks another language than the chosen one (a saved copy from before the change): online, the
// service worker drops its saved pages and the page reloads once in the chosen language. Offline, the saved
// copies are kept (an old language beats no page) until the network is back.
async function refresh(locale) {
  if (!navigator.onLine || locale === lang()) return;
  const mark = `${locale} ${location.href}`;
  if (sessionStorage.getItem(RELOADED) === mark) return; // once per page and language: never a reload loop
  sessionStorage.setItem(RELOADED, mark);
  const worker = navigator.serviceWorker?.controller;
  if (worker) {
    await new Promise((resolve) => {
      navigator.serviceWorker.addEventListener("message", (event) => event.data?.type === "locale-dropped" && resolve());
      worker.postMessage({ type: "LOCALE", locale, drop: true });
      setTimeout(resolve, 2000);
    });
  }
  location.reload();
}

/** Choose the shop's language on this device and, signed in, on every device (`prefs.set locale`). */
export async function choose(locale) {
  if (!SUPPORTED.includes(locale)) return;
  setCookie(locale);
  const client = self.lastmileSync;
  if (client?.signedIn) await client.mutate("prefs.set", { name: "locale", value: locale });
  await refresh(locale);
}

/** Feature entry point, called by app.js with its context. */
export function start() {
  for (const link of document.querySelectorAll("a[data-locale]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      choose(link.dataset.locale);
    });
  }
  const chosen = cookieLocale();
  if (chosen) refresh(chosen);
  addEventListener("online", () => cookieLocale() && refresh(cookieLocale()));
  navigator.serviceWorker?.controller?.postMessage({ type: "LOCALE", locale: lang() });
  waitFor("lastmileSync").then((client) =>
    client?.subscribe((c) => {
      // Another device (or an earlier session) chose a language: it follows the shopper here.
      const preferred = c.signedIn ? c.view.get("prefs/locale") : null;
      if (SUPPORTED.includes(preferred) && preferred !== cookieLocale()) {
        setCookie(preferred);
        refresh(preferred);
      }
    }),
  );
}
