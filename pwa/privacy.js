// Lastmile privacy page (/privacy): consents per purpose from the synced view key `consents`, changed with the
// sync mutation consent.set (queued offline like any mutation); the data export and account deletion.
// A feature module of the app shell; the page's texts come from the server (data-* on #lm-privacy).

import { authed } from "./authed.js";
import { waitFor } from "./dom.js";

function render(client, form) {
  const consents = client.view.get("consents") || {};
  for (const box of form.querySelectorAll("input[type=checkbox]")) {
    box.checked = !!consents[box.name]?.granted;
    box.disabled = !client.signedIn;
  }
}

function download(data) {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: "lastmile-my-data.json" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export function start() {
  if (document.documentElement.dataset.page !== "privacy") return;
  run().catch((error) => console.warn("lastmile: privacy page failed", error));
}

async function run() {
  const main = document.getElementById("lm-privacy");
  const status = document.getElementById("lm-privacy-status");
  const form = document.getElementById("lm-consents");
  const client = await waitFor("lastmileSync");
  if (!main || !client) return;
  const say = (text) => (status.textContent = text);
  const controls = [...document.querySelectorAll("#lm-export, #lm-delete input, #lm-delete button")];
  const needsSignIn = main.getAttribute("data-needs_signin");
  const refresh = () => {
    render(client, form);
    for (const c of controls) c.disabled = !client.signedIn;
    // The client reads its session after it starts: "sign in first" goes once it knows the shopper is signed in.
    if (!client.signedIn) say(needsSignIn);
    else if (status.textContent === needsSignIn) say("");
  };
  client.subscribe(refresh);
  refresh();
  form.addEventListener("change", async (event) => {
    const box = event.target;
    await client.mutate("consent.set", { purpose: box.name, granted: box.checked });
    say(main.getAttribute("data-saved"));
  });
  document.getElementById("lm-export").addEventListener("click", async () => {
    try {
      download(await authed(client, "GET", "/api/me/export"));
    } catch (error) {
      say(error.status ? error.message : main.getAttribute("data-offline"));
    }
  });
  document.getElementById("lm-delete").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const body = { password: data.get("password") };
    if (data.get("totp")) body.totp = data.get("totp");
    try {
      await authed(client, "DELETE", "/api/me", { body });
    } catch (error) {
      return say(error.status ? error.message : main.getAttribute("data-offline"));
    }
    await client.signOut(); // the server signed every device out; forget this one's copy too
    say(main.getAttribute("data-delete-done"));
  });
}
