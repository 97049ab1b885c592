// Web Push for the Lastmile service worker: show the notification, open its page on click, and report
// both with POST /api/events. sw.js loads this with importScripts (it does nothing outside a worker).
// Each payload carries a per-message receipt, so reporting needs no bearer token inside the worker.
/* global ServiceWorkerGlobalScope, clients */
if (typeof ServiceWorkerGlobalScope !== "undefined" && self instanceof ServiceWorkerGlobalScope) {
  const EVENTS_URL = "/api/events";

  // Only same-site paths are opened: a payload can never send the shopper elsewhere.
  const safePath = (url) => (typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/");

  const report = (type, data) => {
    if (!data || typeof data.messageId !== "number") return Promise.resolve();
    const body = JSON.stringify({ events: [{ type, messageId: data.messageId, receipt: data.receipt || null }] });
    return fetch(EVENTS_URL, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      credentials: "omit",
      keepalive: true,
    }).catch(() => undefined); // offline: the funnel misses one event, the shopper misses nothing
  };

  self.addEventListener("push", (event) => {
    let data = {};
    try {
      data = event.data ? event.data.json() : {};
    } catch (_) {
      data = { title: "Lastmile", body: event.data ? event.data.text() : "" };
    }
    const options = {
      body: String(data.body || ""),
      icon: data.icon ? safePath(data.icon) : undefined,
      tag: data.tag || undefined, // offers with one topic replace each other on screen too
      renotify: Boolean(data.tag),
      data: { url: safePath(data.url), messageId: data.messageId, receipt: data.receipt, offerId: data.offerId },
    };
    event.waitUntil(
      Promise.all([self.registration.showNotification(String(data.title || "Lastmile"), options), report("notification.shown", data)]),
    );
  });

  self.addEventListener("notificationclick", (event) => {
    event.notification.close();
    const data = event.notification.data || {};
    const target = new URL(safePath(data.url), self.location.origin).href;
    const open = clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const same = windows.find((w) => w.url === target && "focus" in w);
      if (same) return same.focus();
      return clients.openWindow(target);
    });
    event.waitUntil(Promise.all([open, report("notification.clicked", data)]));
  });
}
