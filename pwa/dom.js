// DOM helpers shared by the feature modules: el() builds an element, fill() replaces its children, waitFor()
// waits for a global that another feature sets (features start side by side, so one may need another that has
// not started yet), onNearView() puts off work below the fold until it comes near the screen.

/** `el("a", {href, onclick, dataset: {sku}}, "text", child)`: attributes, listeners (on*), dataset, children;
 * null/undefined/false attributes and children are left out, `true` sets an empty attribute. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...kept(children));
  return node;
}

/** `node.replaceChildren(...)` with el()'s rule for children: null/undefined/false are left out (the DOM's own
 * replaceChildren would print them as the text "null"). */
export function fill(node, ...children) {
  node.replaceChildren(...kept(children));
  return node;
}

function kept(children) {
  return children.flat().filter((c) => c !== null && c !== undefined && c !== false);
}

/** `self[name]` once it is set, or null after `ms`. */
export function waitFor(name, ms = 10_000) {
  return new Promise((resolve) => {
    const until = Date.now() + ms;
    const check = () => (self[name] || Date.now() > until ? resolve(self[name] || null) : setTimeout(check, 20));
    check();
  });
}

/** `run()` once `target` comes within `margin` (a CSS rootMargin) of the screen, at once where there is no
 * IntersectionObserver: for parts below the fold that most visits never scroll to. */
export function onNearView(target, run, margin) {
  if (!target) return;
  if (!("IntersectionObserver" in self)) return void run();
  const watch = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) {
      watch.disconnect();
      run();
    }
  }, { rootMargin: margin });
  watch.observe(target);
}
