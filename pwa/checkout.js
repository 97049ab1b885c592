// Lastmile checkout and order pages: /checkout (address from the synced address book, delivery, payment, then a
// review step and Place order) and /orders/{id} (the status timeline, live from the synced `orders/{id}` row).
// A feature module of the app shell (app.js calls start(context)). Checkout needs the network: offline, Place
// order is disabled and says so, while the cart (a sync mutation) and the address book stay editable.

import { authed } from "./authed.js";
import { el, fill, waitFor } from "./dom.js";
import { moment, say } from "./i18n.js";
import { money } from "./money.js";
import { couponName } from "./perk-names.js";

const ATTEMPT_KEY = "lastmile-checkout-key"; // one Idempotency-Key per attempt until it succeeds (no double order)
const PLACED_KEY = "lastmile-placed-order";
const OPTIONS = ["standard", "express", "pickup"];
const TEST_TOKENS = [
  ["tok_test_approve", "checkout.payment.test_approve"],
  ["tok_test_decline", "checkout.payment.test_decline"],
];

const STYLE = `
#lm-checkout [hidden]{display:none!important}
#lm-checkout fieldset{border:1px solid var(--line,#e3e7e4);border-radius:.5rem;margin:0 0 1rem;padding:.6rem .8rem}
#lm-checkout legend{font-weight:600;padding:0 .3rem}
#lm-checkout .lm-choice{display:flex;gap:.5rem;align-items:flex-start;padding:.3rem 0}
#lm-checkout .lm-choice input{margin-top:.3rem}
#lm-checkout dl,#lm-order dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem;margin:.4rem 0}
#lm-checkout dd,#lm-order dd{margin:0;text-align:right}
#lm-checkout .lm-total,#lm-order .lm-total{font-weight:700;font-size:1.1rem}
#lm-checkout address,#lm-order address{font-style:normal}
#lm-timeline{list-style:none;margin:0 0 1rem;padding:0}
#lm-timeline li{position:relative;padding:0 0 .8rem 1.6rem;border-left:2px solid var(--line,#e3e7e4);margin-left:.5rem}
#lm-timeline li::before{content:"";position:absolute;left:-.45rem;top:.2rem;width:.8rem;height:.8rem;border-radius:50%;background:#fff;border:2px solid var(--muted,#5b6661)}
#lm-timeline li[data-done=true]::before{background:var(--brand,#0b5d4b);border-color:var(--brand,#0b5d4b)}
#lm-timeline li:last-child{border-left-color:transparent}
#lm-timeline time,#lm-timeline .lm-muted{display:block}
`;

function addStyle() {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
}

function addressLines(a) {
  return [a.name, a.line1, a.line2, [a.postcode, a.city].filter(Boolean).join(" "), a.region, a.country, a.phone].filter(Boolean);
}

function addressBlock(a) {
  const lines = addressLines(a);
  return el("address", {}, ...lines.flatMap((line, i) => (i ? [el("br"), line] : [line])));
}

function deliveryName(id) {
  return say(`checkout.delivery.${id}`);
}

function deliveryDays(option) {
  return option.daysMax <= 1 ? say("checkout.delivery.next_day") : say("checkout.delivery.days", { min: option.daysMin, max: option.daysMax });
}

function pickupName(id) {
  return say(`pickup.${id}.name`);
}

// Where a pickup order waits: the point's name, then where it is and when it is open.
function pickupBlock(id) {
  return el("address", { class: "lm-pickup", dataset: { pickup: id } }, el("strong", {}, pickupName(id)), el("br"), say(`pickup.${id}.where`));
}

function paymentName(method) {
  return method === "cod" ? say("checkout.payment.cod") : say("checkout.payment.card");
}

// ------------------------------------------------------------------------------------------------ checkout

class Checkout {
  constructor(client, mount, note) {
    this.client = client;
    this.note = note;
    this.choice = { addressId: null, delivery: "standard", pickupPoint: null, method: "card", token: TEST_TOKENS[0][0], code: "" };
    this.quote = null;
    this.quoteError = null;
    this.quoting = false;
    this.step = "choose";
    this.busy = false;
    this.message = null;
    this.timer = null;
    this.inFlight = Promise.resolve();
    this.asked = "";
    this.build(mount);
  }

  // The parts that hold what the shopper types are built once, so a redraw never loses their input or focus.
  build(mount) {
    this.status = el("p", { id: "lm-checkout-offline", class: "lm-error", role: "status", hidden: true }, say("checkout.offline"));
    this.alert = el("p", { id: "lm-checkout-message", class: "lm-error", role: "alert" });
    this.addresses = el("div", { id: "lm-address-list" });
    this.addressForm = this.buildAddressForm();
    this.delivery = el("div", { id: "lm-delivery-options" });
    this.payment = this.buildPayment();
    this.codeInput = el("input", { id: "lm-checkout-code", name: "code", maxlength: "40", autocomplete: "off", pattern: "[A-Za-z0-9][A-Za-z0-9_\\-]{0,39}" });
    this.codeInput.addEventListener("change", () => {
      this.choice.code = this.codeInput.value.trim();
      this.requote();
    });
    this.reviewButton = el("button", { type: "button", class: "lm-btn", id: "lm-review", onclick: () => this.toReview() }, say("checkout.review.go"));
    this.chooseBox = el(
      "div",
      { id: "lm-checkout-choose" },
      el("fieldset", {}, el("legend", {}, say("checkout.address.title")), this.addresses, this.addressForm),
      el("fieldset", {}, el("legend", {}, say("checkout.delivery.title")), this.delivery),
      el("fieldset", {}, el("legend", {}, say("checkout.payment.title")), this.payment),
      el("p", {}, el("label", { for: "lm-checkout-code" }, say("checkout.code.label")), el("br"), this.codeInput),
      el("p", { class: "lm-actions" }, this.reviewButton, el("a", { href: "/cart" }, say("checkout.back_to_cart"))),
    );
    this.placeButton = el("button", { type: "button", class: "lm-btn", id: "lm-place-order", onclick: () => this.place() }, say("checkout.place"));
    this.review = el("div", { id: "lm-review-summary" });
    this.reviewBox = el(
      "section",
      { id: "lm-checkout-review", hidden: true, "aria-labelledby": "lm-review-title" },
      el("h2", { id: "lm-review-title", tabindex: "-1" }, say("checkout.review.title")),
      this.review,
      el("p", { class: "lm-actions" }, this.placeButton,
        el("button", { type: "button", class: "lm-btn alt", id: "lm-review-change", onclick: () => this.toChoose() }, say("checkout.review.change"))),
    );
    this.body = el("div", { id: "lm-checkout-body" });
    this.root = el("div", {}, this.status, this.alert, this.body, this.chooseBox, this.reviewBox);
    fill(mount, mount.querySelector("h1"), this.root);
    addEventListener("online", () => {
      this.draw();
      this.requote();
    });
    addEventListener("offline", () => this.draw());
  }

  buildAddressForm() {
    const field = (name, label, attrs = {}) =>
      el("label", {}, say(label), el("br"), el("input", { name, maxlength: "120", ...attrs }));
    const form = el(
      "form",
      { class: "lm-form", id: "lm-address-form", hidden: true },
      field("name", "checkout.address.name", { required: true, autocomplete: "name" }),
      field("line1", "checkout.address.line1", { required: true, autocomplete: "address-line1" }),
      field("line2", "checkout.address.line2", { autocomplete: "address-line2" }),
      field("city", "checkout.address.city", { required: true, autocomplete: "address-level2" }),
      field("region", "checkout.address.region", { autocomplete: "address-level1" }),
      field("postcode", "checkout.address.postcode", { maxlength: "16", autocomplete: "postal-code", pattern: "[A-Za-z0-9 \\-]*" }),
      field("country", "checkout.address.country", { required: true, maxlength: "2", autocomplete: "country", pattern: "[A-Za-z]{2}" }),
      field("phone", "checkout.address.phone", { type: "tel", maxlength: "24", autocomplete: "tel", pattern: "[0-9+ ()\\-]*" }),
      el("span", { class: "lm-actions" },
        el("button", { type: "submit", class: "lm-btn" }, say("checkout.address.save")),
        el("button", { type: "button", class: "lm-btn alt", onclick: () => this.showForm(false) }, say("checkout.address.cancel"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = Object.fromEntries(new FormData(form));
      const address = { ...data, country: String(data.country || "").trim().toUpperCase() };
      for (const name of Object.keys(address)) address[name] = String(address[name]).trim();
      if (!/^[A-Z]{2}$/.test(address.country)) {
        this.say(say("checkout.address.bad_country"));
        return;
      }
      address.id = `a${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
      // A sync mutation: saved offline too, on every device once pushed; checkout pushes it before ordering.
      this.client.mutate("address.put", address);
      this.choice.addressId = address.id;
      form.reset();
      this.showForm(false);
      this.requote();
    });
    return form;
  }

  buildPayment() {
    const radio = (method) =>
      el("input", { type: "radio", name: "lm-payment", value: method, id: `lm-pay-${method}`, checked: this.choice.method === method,
        onchange: () => { this.choice.method = method; this.draw(); } });
    const token = el("select", { id: "lm-card-token", "aria-label": say("checkout.payment.test_card") },
      ...TEST_TOKENS.map(([value, label]) => el("option", { value }, say(label))));
    token.addEventListener("change", () => (this.choice.token = token.value));
    return el("div", {},
      el("div", { class: "lm-choice" }, radio("card"),
        el("label", { for: "lm-pay-card" }, say("checkout.payment.card"), el("span", { class: "lm-muted" }, ` — ${say("checkout.payment.test_card")}`))),
      el("p", {}, token),
      el("p", { class: "lm-muted" }, say("checkout.payment.no_card_data")),
      el("div", { class: "lm-choice" }, radio("cod"), el("label", { for: "lm-pay-cod" }, say("checkout.payment.cod"))));
  }

  showForm(open) {
    this.addressForm.hidden = !open;
    if (open) this.addressForm.querySelector("input")?.focus();
    this.draw();
  }

  say(text) {
    this.alert.textContent = text || "";
  }

  // What the server prices: asked again (debounced) whenever a choice changes, and when the network returns.
  requote() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.fetchQuote();
    }, 150);
  }

  // The quote the choices on screen ask for (one still waiting to be asked is asked now).
  async settled() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.inFlight = this.fetchQuote();
    }
    await this.inFlight;
  }

  async fetchQuote() {
    if (!this.client.signedIn || !this.client.cartLines().length || !navigator.onLine) return this.draw();
    const body = { delivery: this.choice.delivery };
    if (this.choice.delivery === "pickup" && this.choice.pickupPoint) body.pickupPoint = this.choice.pickupPoint;
    if (this.choice.addressId && this.client.view.get(`addresses/${this.choice.addressId}`)) body.addressId = this.choice.addressId;
    if (this.choice.code) body.code = this.choice.code;
    const asked = JSON.stringify(body);
    this.asked = asked;
    this.quoting = true;
    this.draw();
    try {
      await this.client.pushNow?.(); // the cart and a new address reach the server before it prices them
      const quote = await authed(this.client, "POST", "/api/checkout/quote", { body });
      if (this.asked !== asked) return;
      this.quote = quote;
      this.quoteError = null;
    } catch (error) {
      if (this.asked !== asked) return;
      this.quoteError = error.status ? error.message : null;
      if (error.status) this.quote = null;
    } finally {
      if (this.asked === asked) this.quoting = false;
      this.draw();
    }
  }

  ready() {
    const q = this.quote;
    const pickup = this.choice.delivery !== "pickup" || (!!this.choice.pickupPoint && q?.pickupPoint === this.choice.pickupPoint);
    return !!(q && !this.quoteError && this.choice.addressId && q.address && q.delivery === this.choice.delivery && pickup);
  }

  // Why the review step cannot open yet (the first choice still missing).
  missing() {
    if (this.choice.delivery === "pickup" && !this.choice.pickupPoint) return say("pickup.needed");
    return say("checkout.review.needs_choices");
  }

  async toReview() {
    this.reviewButton.disabled = true;
    try {
      await this.settled();
    } finally {
      this.reviewButton.disabled = false;
    }
    if (!this.ready()) {
      this.say(this.quoteError || this.missing());
      return;
    }
    this.say("");
    this.step = "review";
    this.draw();
    document.getElementById("lm-review-title")?.focus?.();
  }

  toChoose() {
    this.step = "choose";
    this.draw();
  }

  async place() {
    if (!navigator.onLine || this.busy || !this.ready()) return this.draw();
    this.busy = true;
    this.say("");
    this.draw();
    const key = localStorage.getItem(ATTEMPT_KEY) || crypto.randomUUID();
    localStorage.setItem(ATTEMPT_KEY, key);
    const { addressId, delivery, pickupPoint, method, token, code } = this.choice;
    const body = { addressId, delivery, payment: method === "card" ? { method, token } : { method } };
    if (delivery === "pickup") body.pickupPoint = pickupPoint;
    if (code) body.code = code;
    try {
      await this.client.pushNow?.();
      const order = await authed(this.client, "POST", "/api/orders", { body, headers: { "idempotency-key": key } });
      localStorage.removeItem(ATTEMPT_KEY);
      sessionStorage.setItem(PLACED_KEY, String(order.id));
      this.client.sync?.();
      location.assign(`/orders/${order.id}`);
      return;
    } catch (error) {
      if (error.status && error.status < 500) localStorage.removeItem(ATTEMPT_KEY);
      const declined = error.status === 402 ? error.problem?.errors?.[0]?.message || "declined" : null;
      this.say(declined ? say("checkout.declined", { code: declined }) : error.status ? say("checkout.failed", { detail: error.message }) : say("checkout.no_connection"));
      if (declined) this.step = "choose";
    } finally {
      this.busy = false;
    }
    this.draw();
    this.requote();
  }

  draw() {
    const client = this.client;
    const online = navigator.onLine;
    this.status.hidden = online;
    if (!client.signedIn) {
      this.show(false);
      return fill(this.body, el("p", {}, `${say("checkout.sign_in")} `, el("a", { href: "/signin" }, say("shop.header.signin"))));
    }
    if (!client.cartLines().length) {
      this.show(false);
      return fill(this.body, el("p", { id: "lm-checkout-empty" }, `${say("checkout.empty")} `, el("a", { href: "/" }, say("shop.cart.browse"))));
    }
    fill(this.body);
    this.show(true);
    this.drawAddresses();
    this.drawDelivery();
    this.reviewButton.disabled = this.busy;
    this.placeButton.disabled = !online || this.busy || !this.ready();
    this.placeButton.textContent = this.busy ? say("checkout.placing") : say("checkout.place");
    if (this.step === "review") this.drawReview();
  }

  show(visible) {
    this.chooseBox.hidden = !visible || this.step !== "choose";
    this.reviewBox.hidden = !visible || this.step !== "review";
  }

  drawAddresses() {
    const book = this.client.entries("addresses/").sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (!book.some((a) => a.id === this.choice.addressId)) {
      const first = book[0]?.id || null;
      if (first !== this.choice.addressId) {
        this.choice.addressId = first;
        this.requote();
      }
    }
    const choices = book.map((a) =>
      el("div", { class: "lm-choice", dataset: { address: a.id } },
        el("input", { type: "radio", name: "lm-address", value: a.id, id: `lm-address-${a.id}`, checked: a.id === this.choice.addressId,
          onchange: () => { this.choice.addressId = a.id; this.requote(); } }),
        el("label", { for: `lm-address-${a.id}` }, addressLines(a).slice(0, 4).join(", "))));
    fill(this.addresses,
      book.length ? choices : el("p", { class: "lm-muted", id: "lm-address-none" }, say("checkout.address.none")),
      this.addressForm.hidden ? el("button", { type: "button", class: "lm-btn alt", id: "lm-address-add", onclick: () => this.showForm(true) }, say("checkout.address.add")) : null);
  }

  drawDelivery() {
    const priced = new Map((this.quote?.deliveryOptions || []).map((o) => [o.id, o]));
    const currency = this.quote?.currency;
    const radios = OPTIONS.map((id) => {
      const option = priced.get(id);
      const price = option ? (option.free ? say("checkout.delivery.free") : money(option.price, currency)) : "";
      return el("div", { class: "lm-choice", dataset: { delivery: id } },
        el("input", { type: "radio", name: "lm-delivery", value: id, id: `lm-delivery-${id}`, checked: id === this.choice.delivery,
          onchange: () => { this.choice.delivery = id; this.requote(); } }),
        el("label", { for: `lm-delivery-${id}` }, deliveryName(id), price ? ` — ${price}` : "",
          option ? el("span", { class: "lm-muted" }, ` (${deliveryDays(option)})`) : ""));
    });
    const from = this.quote?.freeDeliveryFrom;
    fill(this.delivery, ...radios, this.choice.delivery === "pickup" ? this.drawPickup() : null,
      from ? el("p", { class: "lm-muted" }, say("checkout.delivery.free_from", { amount: money(from, currency) })) : null,
      !navigator.onLine && !this.quote ? el("p", { class: "lm-muted" }, say("checkout.delivery.needs_network")) : null,
      this.quoteError ? el("p", { class: "lm-error", id: "lm-quote-error" }, this.quoteError) : null);
  }

  // The pickup points of this cart's shop, one to choose (none is chosen for the shopper: it is where they go).
  drawPickup() {
    const points = this.quote?.pickupPoints || [];
    if (!this.quote) return null;
    if (!points.length) return el("p", { class: "lm-muted", id: "lm-pickup-none" }, say("pickup.none"));
    if (this.choice.pickupPoint && !points.includes(this.choice.pickupPoint)) this.choice.pickupPoint = null;
    return el("fieldset", { id: "lm-pickup-points" },
      el("legend", {}, say("pickup.choose")),
      ...points.map((id) =>
        el("div", { class: "lm-choice", dataset: { pickup: id } },
          el("input", { type: "radio", name: "lm-pickup", value: id, id: `lm-pickup-${id}`, checked: id === this.choice.pickupPoint,
            onchange: () => { this.choice.pickupPoint = id; this.say(""); this.requote(); } }),
          el("label", { for: `lm-pickup-${id}` }, pickupName(id), el("br"), el("span", { class: "lm-muted" }, say(`pickup.${id}.where`))))));
  }

  drawReview() {
    const q = this.quote;
    if (!q) return fill(this.review, el("p", { class: "lm-muted" }, say("checkout.review.pricing")));
    const row = (label, value, id = null, cls = null) => [el("dt", { class: cls }, label), el("dd", { class: cls, id }, value)];
    // A coupon of the shopper's is named from its synced row, in the page's language; an offer keeps its title.
    const coupon = q.code ? this.client.view.get(`coupons/${q.code}`) : null;
    const label = coupon ? couponName(coupon) : q.discountLabel;
    fill(this.review,
      el("h3", {}, say("checkout.review.items")),
      el("ul", { class: "lm-cart", id: "lm-review-lines" },
        q.lines.map((l) => el("li", { dataset: { sku: l.sku } }, el("span", { class: "name" }, `${l.name} × ${l.qty}`), el("span", {}, money(l.lineTotal, q.currency))))),
      el("dl", { id: "lm-review-totals" },
        ...row(say("checkout.review.subtotal"), money(q.subtotal, q.currency)),
        ...(q.discount ? row(label ? say("checkout.review.discount_named", { name: label }) : say("checkout.review.discount"), money(-q.discount, q.currency)) : []),
        ...row(say("checkout.review.shipping_by", { name: deliveryName(q.delivery) }), q.shipping ? money(q.shipping, q.currency) : say("checkout.delivery.free")),
        ...row(say("checkout.review.total"), money(q.total, q.currency), "lm-review-total", "lm-total")),
      el("p", { class: "lm-muted", id: "lm-review-points" }, say("checkout.review.points", { points: q.pointsToEarn })),
      q.pickupPoint ? [el("h3", {}, say("pickup.collect_from")), el("div", { id: "lm-review-pickup" }, pickupBlock(q.pickupPoint))] : null,
      el("h3", {}, say(q.pickupPoint ? "pickup.contact" : "checkout.review.address")),
      q.address ? addressBlock(q.address) : null,
      el("h3", {}, say("checkout.review.payment")),
      el("p", { id: "lm-review-payment" }, paymentName(this.choice.method),
        this.choice.method === "card" ? el("span", { class: "lm-muted" }, ` — ${say(TEST_TOKENS.find(([t]) => t === this.choice.token)[1])}`) : ""));
  }
}

// ------------------------------------------------------------------------------------------------ one order

function drawOrder(client, mount, orderId, detail) {
  const summary = client.view.get(`orders/${orderId}`);
  const order = summary || detail;
  if (!client.signedIn || !order) {
    return fill(mount, el("h1", {}, say("checkout.order.heading", { id: orderId })),
      el("p", {}, say(client.signedIn ? "checkout.order.loading" : "checkout.order.unknown"), " ", el("a", { href: "/orders" }, say("checkout.order.all"))));
  }
  const steps = summary?.timeline || detail?.timeline || [];
  const currency = order.currency;
  fill(mount,
    el("h1", {}, say("checkout.order.heading", { id: orderId })),
    el("h2", {}, say("checkout.order.timeline")),
    el("ol", { id: "lm-timeline", dataset: { status: order.status } },
      steps.map((s) => el("li", { dataset: { step: s.status, done: String(!!s.at) } },
        el("strong", {}, say(`checkout.step.${s.status}`)),
        s.at ? el("time", { datetime: s.at }, moment(s.at)) : el("span", { class: "lm-muted" }, say("checkout.order.not_yet"))))),
    el("h2", {}, say("checkout.order.details")),
    detail
      ? el("div", { id: "lm-order-details" },
          el("ul", { class: "lm-cart" }, detail.lines.map((l) => el("li", {}, el("span", { class: "name" }, `${l.name} × ${l.qty}`), el("span", {}, money(l.lineTotal, currency))))),
          el("dl", {},
            el("dt", {}, say("checkout.review.subtotal")), el("dd", {}, money(detail.subtotal, currency)),
            detail.discount ? el("dt", {}, say("checkout.review.discount")) : null, detail.discount ? el("dd", {}, money(-detail.discount, currency)) : null,
            detail.delivery ? el("dt", {}, say("checkout.review.shipping_by", { name: deliveryName(detail.delivery) })) : null,
            detail.delivery ? el("dd", {}, detail.shipping ? money(detail.shipping, currency) : say("checkout.delivery.free")) : null,
            el("dt", { class: "lm-total" }, say("checkout.review.total")), el("dd", { class: "lm-total", id: "lm-order-total" }, money(detail.total, currency))),
          detail.payment ? el("p", {}, say("checkout.review.paid_by", { name: paymentName(detail.payment) })) : null,
          detail.pickupPoint ? [el("h3", {}, say("pickup.collect_from")), el("div", { id: "lm-order-pickup" }, pickupBlock(detail.pickupPoint))] : null,
          detail.address ? [el("h3", {}, say(detail.pickupPoint ? "pickup.contact" : "checkout.review.address")), addressBlock(detail.address)] : null)
      : el("p", { class: "lm-muted" }, say("checkout.order.details_offline")),
    el("p", {}, el("a", { href: "/orders" }, say("checkout.order.all"))));
}

function mountOrder(client, mount, note) {
  const orderId = Number(location.pathname.split("/").pop());
  let detail = null;
  let seen = "";
  const load = () => {
    if (!client.signedIn || !navigator.onLine) return;
    authed(client, "GET", `/api/orders/${orderId}`)
      .then((order) => {
        detail = order;
        drawOrder(client, mount, orderId, detail);
      })
      .catch(() => {});
  };
  client.subscribe((c) => {
    const summary = c.view.get(`orders/${orderId}`);
    drawOrder(c, mount, orderId, detail);
    // A status change reached this device (poke, then pull): fetch the details again for the new totals.
    const stamp = summary ? `${summary.status}|${summary.updatedAt}` : "";
    if (stamp !== seen) {
      seen = stamp;
      load();
    }
  });
  addEventListener("online", load);
  if (sessionStorage.getItem(PLACED_KEY) === String(orderId)) {
    sessionStorage.removeItem(PLACED_KEY);
    note?.("checkout", say("checkout.order.placed_note", { id: orderId }));
  }
  load();
}

// ------------------------------------------------------------------------------------------------ entry

/** Feature entry point, called by app.js with its context; returns at once (the sync client starts beside it). */
export function start(context = {}) {
  const page = context.page || document.documentElement.dataset.page || "";
  if (page !== "checkout" && page !== "order") return;
  waitFor("lastmileSync", 30_000).then((client) => {
    if (!client) return;
    addStyle();
    if (page === "checkout") {
      const view = new Checkout(client, document.getElementById("lm-checkout"), context.note);
      let cart = "";
      client.subscribe((c) => {
        view.draw();
        // The cart changed (here or on another device): the review must price what will be ordered.
        const now = JSON.stringify(c.cartLines().map((l) => [l.sku, l.qty]));
        if (now !== cart) {
          cart = now;
          view.requote();
        }
      });
    } else {
      mountOrder(client, document.getElementById("lm-order"), context.note);
    }
    document.documentElement.dataset.checkout = "ready";
  });
}
