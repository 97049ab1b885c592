// Lastmile app shell module: loaded at the end of every page (modules are deferred), so nothing here
// delays the first paint. It registers the service worker, upgrades the first image on good links,
// offers reloads when a new version or newer page is ready, and starts feature modules (sync client, ...).
// The server fills ASSETS with the content-hashed URLs of this build (ASSETS.texts: each locale's texts JSON).
// No static import here (pwa/i18n.js): it would cost a round trip before this module runs. The shell's few notes
// read the loaded texts directly, in English until they have come.
const tr = (key, english) => self.LastmileTexts?.[`shop.${key}`] ?? english;

const ASSETS = /*ASSETS*/{ "features": [], "preload": [], "version": "dev" }/*END*/;

const ready = new Promise((resolve) => {
  if (document.readyState === "complete") resolve();
  else addEventListener("load", () => resolve(), { once: true });
});

// A note at the top of the page (update offers, messages); one per kind.
function note(kind, text, action) {
  let el = document.querySelector(`.note[data-kind="${kind}"]`);
  if (!el) {
    el = document.createElement("p");
    el.className = "note";
    el.dataset.kind = kind;
    el.setAttribute("role", "status");
    document.body.prepend(el);
  }
  el.textContent = text;
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action.label;
    button.addEventListener("click", action.run, { once: true });
    el.append(button);
  }
  return el;
}

// Larger renditions of the inline first image, only when the link can afford them.
function slowLink() {
  const c = navigator.connection;
  return !!c && (c.saveData || ["slow-2g", "2g", "3g"].includes(c.effectiveType));
}

function upgradeImages() {
  if (slowLink()) return;
  for (const img of document.querySelectorAll("img[data-srcset]")) {
    // the inline image already covers this screen: nothing to fetch
    if (img.naturalWidth >= img.clientWidth * devicePixelRatio * 0.8) continue;
    img.sizes = img.dataset.sizes || "100vw";
    img.srcset = img.dataset.srcset;
    img.removeAttribute("data-srcset");
  }
}

// Offline page: list the pages this device has saved, by the name they show (their h1), newest first.
async function listSaved() {
  const list = document.getElementById("lm-saved");
  if (!list || !("caches" in self)) return;
  const cache = await caches.open("lm-pages-v1");
  const seen = new Set();
  for (const request of (await cache.keys()).reverse()) {
    if (seen.size >= 30) break;
    const url = new URL(request.url);
    const path = url.pathname + url.search;
    const listed = url.pathname === "/" || url.pathname.startsWith("/c/") || url.pathname.startsWith("/p/");
    if (!listed || seen.has(path)) continue;
    const response = await cache.match(request);
    const html = response ? await response.text() : "";
    const name = new DOMParser().parseFromString(html, "text/html").querySelector("main h1")?.textContent.trim();
    if (!name) continue;
    seen.add(path);
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = path;
    a.textContent = name;
    li.append(a);
    list.append(li);
  }
  const box = document.getElementById("lm-saved-box");
  if (box) box.hidden = seen.size === 0;
}

let reloading = false;

function offerUpdate(worker) {
  note("update", tr("app.update", "A new version of Lastmile is ready."), {
    label: tr("app.reload", "Reload"),
    run() {
      reloading = true;
      worker.postMessage({ type: "SKIP_WAITING" });
    },
  });
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return null;
  const sw = navigator.serviceWorker;
  sw.addEventListener("controllerchange", () => {
    if (reloading) location.reload(); // only after the shopper asked: never swap assets under a page
  });
  sw.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "page-updated" && data.url === location.href) {
      note("fresh", tr("app.fresh", "Newer details for this page are available."), { label: tr("app.show", "Show"), run: () => location.reload() });
    }
  });
  const registration = await sw.register("/sw.js", { scope: "/", updateViaCache: "none" });
  if (registration.waiting && sw.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && sw.controller) offerUpdate(worker);
    });
  });
  return registration;
}

// Feature modules (e.g. the sync client) export start(context); the server lists them in ASSETS.features.
// ASSETS.preload names the modules they import: fetched side by side with the features, not one import
// level after another (each level would cost a round trip, 2 s on Slow 3G).
// The page's texts (pwa/i18n.js reads them): fetched beside the feature modules, awaited before any starts.
async function loadTexts() {
  const texts = ASSETS.texts || {};
  const url = texts[document.documentElement.lang] || texts.en;
  if (!url) return;
  try {
    self.LastmileTexts = await (await fetch(url)).json();
  } catch (error) {
    console.warn("lastmile: texts not loaded", error);
  }
}

async function startFeatures(registration) {
  const texts = loadTexts();
  for (const href of ASSETS.preload || []) {
    document.head.append(Object.assign(document.createElement("link"), { rel: "modulepreload", href }));
  }
  const context = {
    registration,
    assets: ASSETS,
    page: document.documentElement.dataset.page || "",
    sku: document.documentElement.dataset.sku || null,
    mounts: { actions: document.getElementById("lm-actions"), account: document.getElementById("lm-account") },
    note,
  };
  // Side by side, not one after another: a feature that needs another (loyalty.js waits for the sync client)
  // must not hold it back.
  await Promise.all(
    ASSETS.features.map(async (url) => {
      try {
        const feature = await import(url);
        await texts;
        await feature.start?.(context);
      } catch (error) {
        console.warn("lastmile: feature failed", url, error);
      }
    }),
  );
}

ready.then(async () => {
  upgradeImages();
  listSaved().catch(() => {});
  let registration = null;
  try {
    registration = await registerServiceWorker();
  } catch (error) {
    console.warn("lastmile: service worker not registered", error);
  }
  await startFeatures(registration);
  document.documentElement.dataset.app = "ready";
});
