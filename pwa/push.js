// Lastmile retention on the page: the notifications opt-in, the shopper's offers (from the synced view
// `offers/{id}`, so they show without push and offline), and product views for the segments.
// A feature module of the app shell (app.js calls start(context)); push-sw.js does the worker side.

import { authed } from "./authed.js";
import { el, fill, waitFor } from "./dom.js";
import { day, tr } from "./i18n.js";

function keyBytes(base64url) {
  const raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Ask for permission, subscribe this device and record the shopper's consent, time zone and locale. */
export async function optIn(client, registration) {
  if ((await Notification.requestPermission()) !== "granted") return false;
  const { publicKey } = await (await fetch("/api/push/key")).json();
  const subscription =
    (await registration.pushManager.getSubscription()) ||
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  await authed(client, "POST", "/api/push/subscriptions", {
    body: {
      ...subscription.toJSON(),
      consent: true,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      locale: navigator.language,
    },
  });
  return true;
}

async function mountOptIn(client, registration, mount, say) {
  const supported = registration && "PushManager" in self && "Notification" in self;
  if (!supported || !mount || !client.signedIn || Notification.permission === "denied") return;
  if (Notification.permission === "granted" && (await registration.pushManager.getSubscription())) return;
  const button = el("button", { type: "button", class: "lm-btn", id: "lm-push-optin" }, tr("push.optin"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if (await optIn(client, registration)) {
        button.remove();
        say(tr("push.on"));
      } else button.disabled = false;
    } catch (error) {
      button.disabled = false;
      say(error.status ? error.message : tr("push.no_connection"));
    }
  });
  mount.append(button);
}

function renderOffers(client, box) {
  const now = new Date().toISOString();
  const offers = client.entries("offers/").filter((o) => o && o.expiresAt > now);
  if (!offers.length) return fill(box);
  fill(box,
    el("h2", {}, tr("push.offers")),
    el("ul", {}, offers.map((o) => el("li", {}, el("strong", {}, o.title), ` ${tr("push.offer_line", { label: o.label })} `, el("code", {}, o.code),
      ` ${tr("push.until", { date: day(o.expiresAt) })}`))),
  );
}

/** Feature entry point, called by app.js with its context; returns at once (features start one after
 * another, and the sync client this one waits for may start after it). */
export function start(context = {}) {
  run(context).catch((error) => console.warn("lastmile: push feature failed", error));
}

async function run(context) {
  const client = await waitFor("lastmileSync");
  if (!client) return;
  const say = (text) => (context.note ? context.note("push", text) : console.info(text));
  const box = el("section", { id: "lm-offers", "aria-live": "polite" });
  (document.querySelector("main") || document.body).append(box);
  client.subscribe((c) => renderOffers(c, box));
  // In the header menu's panel, beside (not inside) #lm-account, which the sync client redraws on every sign-in
  // state change; a page saved by an older version has no panel, only #lm-account.
  // Once the session is known: the client may still be loading it from IndexedDB when this feature starts.
  let offered = false;
  client.subscribe((c) => {
    if (offered || !c.signedIn) return;
    offered = true;
    mountOptIn(c, context.registration, context.mounts?.menu || context.mounts?.account, say).catch(() => {});
  });
  // Product views are recorded by pwa/recs.js with the sync mutation recent.view, which also counts them in the
  // browse history retention reads (and, unlike a direct event, still counts a view made offline).
}
