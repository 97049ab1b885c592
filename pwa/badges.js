// Badges announced once: a milestone badge (`badges/{id}`, loyalty/badges.py) that no device has shown yet is
// announced in a note on whatever page the shopper is on, then marked seen with the sync mutation `badges.seen`
// (its local mutator sets announcedAt at once, so this device does not announce it again; the server's row
// reaches the other devices, so they never do).
// A feature module of the app shell (app.js calls start(context)).

import { waitFor } from "./dom.js";
import { text, textOr } from "./i18n.js";

/** Feature entry point, called by app.js with its context; returns at once. */
export function start(context = {}) {
  run(context).catch((error) => console.warn("lastmile: badges feature failed", error));
}

// Shown this long before it counts as seen: a page that goes away at once (checkout, which opens the placed
// order's page as soon as the order is in: the very moment its first-order badge arrives) leaves the
// announcement to the next page instead of flashing it where nobody reads it.
const SEEN_AFTER_MS = 2500;

async function run(context) {
  const client = await waitFor("lastmileSync");
  if (!client) return;
  const announced = new Set(); // this page's, while the mutation is being queued
  client.subscribe((c) => {
    if (!c.signedIn) return;
    for (const badge of c.entries("badges/")) {
      if (!badge || badge.announcedAt || announced.has(badge.id)) continue;
      announced.add(badge.id);
      const name = textOr(`perks.badge.${badge.id}`, badge.id);
      context.note?.(`badge-${badge.id}`, text("perks.badges.new", { badge: name }));
      setTimeout(() => c.mutate("badges.seen", { badge: badge.id }).catch(() => announced.delete(badge.id)), SEEN_AFTER_MS);
    }
  });
}
