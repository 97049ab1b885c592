// The shopper's time zone, reported to the server (PUT /api/me/time-zone) so that quiet hours, birthdays and
// "send at local time" follow it on every channel, email included: a shopper who never turned push on has no
// other way to tell. Reported once per shopper and zone on this device (localStorage remembers the last report),
// again when it changes (travelling) and the page is seen or back online.
// A feature module of the app shell (app.js calls start(context)).

import { authed } from "./authed.js";
import { waitFor } from "./dom.js";

const REPORTED = "lm-tz-reported";

function browserZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
  } catch {
    return null;
  }
}

let reporting = null;

async function report(client) {
  const zone = browserZone();
  if (!zone || !client.signedIn || !navigator.onLine) return;
  const mark = `${client.session.userId} ${zone}`;
  if (localStorage.getItem(REPORTED) === mark) return;
  try {
    await authed(client, "PUT", "/api/me/time-zone", { body: { timeZone: zone } });
    localStorage.setItem(REPORTED, mark);
  } catch (error) {
    // A zone the server does not know (an old tzdata there) stays unknown: asking again would not change that.
    if (error.status === 422) localStorage.setItem(REPORTED, mark);
  }
}

function reportOnce(client) {
  reporting ??= report(client).finally(() => (reporting = null));
  return reporting;
}

/** Feature entry point, called by app.js with its context; returns at once. */
export function start() {
  run().catch((error) => console.warn("lastmile: time zone feature failed", error));
}

async function run() {
  const client = await waitFor("lastmileSync");
  if (!client) return;
  client.subscribe((c) => reportOnce(c)); // sign-in, and the session loaded from IndexedDB
  addEventListener("online", () => reportOnce(client));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && reportOnce(client));
}
