// Search suggestions as the shopper types in the header's search box (GET /api/products/suggest): completions of
// the last word and the best-matching products, in the ARIA combobox pattern (role=combobox on the input, a
// listbox, aria-activedescendant; arrows, Enter, Escape). A feature module of the app shell, so it costs the
// first response nothing; without it (no script, old browser, offline) the box is the plain search form it is
// in the HTML, and a failed request just shows no suggestions.

import { el, fill } from "./dom.js";
import { tr } from "./i18n.js";

const STYLE = `
#lm-suggest{position:absolute;z-index:3;top:calc(100% + .25rem);right:0;width:max(100%,18rem);max-width:calc(100vw - 2rem);margin:0;padding:.25rem 0;list-style:none;background:var(--card,#fff);color:var(--ink,#1d2321);border:1px solid var(--line,#e3e7e4);border-radius:.5rem;box-shadow:0 6px 20px #0000002e}
#lm-suggest li{display:flex;gap:.5rem;justify-content:space-between;padding:.45rem .7rem;cursor:pointer;overflow-wrap:anywhere}
#lm-suggest li[aria-selected=true]{background:#e3f4e8}
#lm-suggest .kind{flex:none;color:var(--muted,#5b6661);font-size:.85rem}
.lm-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;
const DEBOUNCE_MS = 180;
const LIMIT = 6;

/** Feature entry point, called by app.js with its context. */
export function start() {
  const input = document.getElementById("lm-q");
  const form = input?.form;
  if (!input || !form) return;
  document.head.append(el("style", {}, STYLE));
  const list = el("ul", { id: "lm-suggest", role: "listbox", "aria-label": tr("search.suggestions"), hidden: true });
  const status = el("span", { class: "lm-sr", role: "status", id: "lm-suggest-status" });
  form.append(list, status);
  for (const [name, value] of Object.entries({
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": list.id,
    autocomplete: "off",
  })) input.setAttribute(name, value);

  let options = []; // [{id, label, run}] in the listbox's order
  let active = -1;
  let timer = null;
  let asked = 0; // ticket of the newest request: an older answer arriving late is dropped
  let inflight = null;

  const close = () => {
    options = [];
    active = -1;
    list.hidden = true;
    fill(list);
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  };

  const highlight = (index) => {
    active = index;
    options.forEach((option, i) => list.children[i].setAttribute("aria-selected", i === index ? "true" : "false"));
    if (index < 0) input.removeAttribute("aria-activedescendant");
    else {
      input.setAttribute("aria-activedescendant", options[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  };

  const show = (found) => {
    const searchFor = (term) => () => {
      input.value = term;
      close();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    };
    const open = (id) => () => {
      close();
      location.assign(`/p/${encodeURIComponent(id)}`);
    };
    options = [
      ...(found.terms || []).map((term) => ({ label: term, kind: "", run: searchFor(term) })),
      ...(found.products || []).map((p) => ({ label: p.name, kind: tr("search.product"), run: open(p.id), sku: p.id })),
    ].map((option, i) => ({ ...option, id: `lm-suggest-${i}` }));
    if (!options.length) {
      close();
      status.textContent = "";
      return;
    }
    fill(list,
      options.map((option) =>
        el("li", { id: option.id, role: "option", "aria-selected": "false", dataset: option.sku ? { sku: option.sku } : {}, onclick: option.run },
          el("span", {}, option.label), option.kind ? el("span", { class: "kind" }, option.kind) : ""),
      ),
    );
    active = -1;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    input.removeAttribute("aria-activedescendant");
    status.textContent = tr("search.suggestion_count", { count: options.length });
  };

  const ask = async () => {
    const q = input.value.trim();
    const ticket = ++asked;
    inflight?.abort();
    if (!q || !navigator.onLine) return close(); // offline: the plain form (results come from saved pages)
    inflight = new AbortController();
    try {
      const response = await fetch(`/api/products/suggest?${new URLSearchParams({ q: q.slice(0, 100), limit: String(LIMIT) })}`, {
        headers: { accept: "application/json" },
        signal: inflight.signal,
      });
      const found = response.ok ? await response.json() : { terms: [], products: [] };
      if (ticket === asked && document.activeElement === input) show(found);
    } catch {
      if (ticket === asked) close();
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && options.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) {
        if (event.key === "ArrowDown" && input.value.trim()) ask();
        return;
      }
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      // The input itself is position -1: the arrows cycle input → first … last → input.
      let next = active + step;
      if (next >= options.length) next = -1;
      else if (next < -1) next = options.length - 1;
      highlight(next);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      options[active].run();
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });
  // A tap on an option must not blur the input first (the list would close under the finger).
  list.addEventListener("mousedown", (event) => event.preventDefault());
  input.addEventListener("blur", () => setTimeout(close, 0));
  form.addEventListener("submit", () => clearTimeout(timer));
}
