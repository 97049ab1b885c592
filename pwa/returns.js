// Lastmile returns page (/returns): delivered orders whose lines may still be returned (`returnable/{orderId}`),
// a return asked for with the sync mutation `returns.request` (queued in IndexedDB while offline, applied once by
// the server when the device is back), and each return's status as operators move it (`returns/{id}`), shown
// live on every device. The server judges the rules (7-day window, lines returned already, free-return
// allowance); a refusal comes back as an `errors/{id}` entry and is shown here. A feature module of the app shell.

import { el, fill, waitFor } from "./dom.js";
import { day, moment, text, tr } from "./i18n.js";
import { money } from "./money.js";

const STYLE = `
#lm-returns fieldset{border:1px solid var(--line,#e3e7e4);border-radius:.5rem;margin:.8rem 0;padding:.6rem .8rem}
#lm-returns legend{font-weight:600}
#lm-returns label{display:flex;gap:.5rem;align-items:center;padding:.25rem 0}
#lm-returns ul{padding-left:1.1rem}
#lm-returns li{margin:.4rem 0}
`;

const returnsView = (client) => client.entries("returns/").sort((a, b) => b.id - a.id);

function refundLine(r) {
  const fee = r.freeShipping ? text("returns.shipping_free") : text("returns.fee_deducted", { fee: money(r.shippingFee, r.currency) });
  return text("returns.refund_line", { refund: money(r.refund, r.currency), fee });
}

function statusLine(r) {
  if (r.status === "refunded") return text("returns.refunded_on", { date: day(r.refundedAt) });
  if (r.status === "received" && r.refundDueAt) return text("returns.refund_by", { time: moment(r.refundDueAt) });
  return "";
}

function returnItem(r) {
  const lines = r.lines.map((l) => `${l.name} × ${l.qty}`).join(", ");
  return el(
    "li",
    { "data-return": String(r.id) },
    el("strong", {}, text("returns.return_of", { id: r.id, order: r.orderId })),
    " ",
    el("span", { class: "lm-status", dataset: { status: r.status } }, text(`returns.status.${r.status}`)),
    el("br"),
    lines,
    el("br"),
    el("span", { class: "lm-muted" }, refundLine(r), " ", statusLine(r)),
  );
}

function shippingNote(client, order) {
  const left = client.view.get("points")?.perks?.freeReturnsLeft ?? 0;
  return left > 0
    ? text("returns.free_left", { count: left })
    : text("returns.fee_note", { fee: money(order.shippingFee, order.currency) });
}

function orderForm(client, order, waiting) {
  const open = order.lines.filter((l) => !l.returned && !waiting.has(`${order.orderId}/${l.sku}`));
  const boxes = order.lines.map((l) => {
    const done = l.returned || waiting.has(`${order.orderId}/${l.sku}`);
    const id = `lm-ret-${order.orderId}-${l.sku}`;
    return el(
      "label",
      { for: id },
      el("input", { type: "checkbox", id, value: l.sku, checked: !done, disabled: done }),
      `${l.name} × ${l.qty} · ${money(l.lineTotal, order.currency)}`,
      done ? el("span", { class: "lm-muted" }, ` (${text("returns.line_returned")})`) : null,
    );
  });
  const button = el("button", { type: "submit", class: "lm-btn", disabled: !open.length }, text("returns.request"));
  const form = el(
    "form",
    { "data-order": String(order.orderId) },
    el(
      "fieldset",
      {},
      el("legend", {}, text("returns.order_legend", { id: order.orderId, date: day(order.returnBy) })),
      ...boxes,
      el("p", { class: "lm-muted" }, shippingNote(client, order)),
      button,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll("input[type=checkbox]:checked:not(:disabled)")].map((b) => b.value);
    if (!chosen.length) return;
    // Every line still open: the whole order (what is left of it); else the lines chosen.
    const skus = chosen.length === open.length ? [] : chosen;
    button.disabled = true;
    client.mutate("returns.request", { orderId: order.orderId, skus });
  });
  return form;
}

function render(client, mount) {
  if (!client.signedIn) {
    return fill(mount, el("p", {}, `${text("returns.sign_in")} `, el("a", { href: "/signin" }, tr("header.signin"))));
  }
  const pending = client.pending.filter((m) => m.name === "returns.request");
  const waiting = new Set();
  for (const m of pending) {
    const order = client.view.get(`returnable/${m.args.orderId}`);
    const skus = m.args.skus.length ? m.args.skus : (order?.lines || []).map((l) => l.sku);
    for (const sku of skus) waiting.add(`${m.args.orderId}/${sku}`);
  }
  const refused = client.errors().filter((e) => e.name === "returns.request");
  const now = Date.now();
  const orders = client.entries("returnable/").filter((o) => Date.parse(o.returnBy) >= now).sort((a, b) => b.orderId - a.orderId);
  const returns = returnsView(client);
  fill(
    mount,
    pending.length ? el("p", { class: "lm-muted", id: "lm-returns-waiting", role: "status" }, text("returns.waiting", { count: pending.length })) : null,
    ...refused.map((e) =>
      el(
        "p",
        { class: "lm-error", role: "alert", dataset: { code: e.code } },
        `${text("returns.refused", { reason: text(`returns.error.${e.code}`) === `returns.error.${e.code}` ? e.detail : text(`returns.error.${e.code}`) })} `,
        el("button", { type: "button", onclick: () => client.dismissError(e.id) }, tr("loyalty.ok")),
      ),
    ),
    el("h2", {}, text("returns.yours")),
    returns.length ? el("ul", { id: "lm-return-list" }, returns.map(returnItem)) : el("p", { class: "lm-muted" }, text("returns.none")),
    el("h2", {}, text("returns.returnable")),
    el("p", { class: "lm-muted" }, text("returns.rule")),
    orders.length ? el("div", { id: "lm-returnable" }, orders.map((o) => orderForm(client, o, waiting))) : el("p", {}, text("returns.nothing_to_return")),
  );
}

/** Feature entry point (app.js): the /returns page, and a link to it under the order history. */
export function start(context = {}) {
  const page = context.page || document.documentElement.dataset.page || "";
  if (page === "orders") {
    const main = document.getElementById("lm-loyalty");
    main?.after(el("p", { class: "lm-returns-link" }, el("a", { href: "/returns" }, text("returns.title"))));
    return;
  }
  if (page !== "returns") return;
  const main = document.getElementById("lm-returns");
  if (!main) return;
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
  const body = el("div", { id: "lm-returns-body" });
  fill(main, main.querySelector("h1"), body);
  waitFor("lastmileSync", 30_000).then((client) => {
    if (!client) return;
    client.subscribe((c) => render(c, body));
    render(client, body);
    document.documentElement.dataset.returns = "ready";
  });
}
