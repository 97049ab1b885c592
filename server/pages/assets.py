"""The PWA bundle: pwa/ files with content-hashed URLs, generated icons, manifest, offline page and sw.js.

Built once per process (off the event loop: the first page request builds it in a worker thread). The
service worker's bytes embed every precached URL and revision, so any asset change yields a new worker.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from server import i18n
from server.pages.html import Shell, offline_page

PWA_DIR = Path(__file__).resolve().parents[2] / "pwa"
THEME = "#0b5d4b"
BACKGROUND = "#f7f8f6"
OFFLINE_URL = "/offline"
MANIFEST_URL = "/manifest.webmanifest"
# Classic scripts the service worker loads with importScripts from this header, in order; a missing one is
# skipped (pwa/sw.js imports sync-store.js itself). Files named *-sw.js are for the worker only, never page features.
WORKER_SCRIPTS = ("push-sw.js",)
_ASSETS_SLOT = re.compile(r"/\*ASSETS\*/.*?/\*END\*/", re.S)
# A relative module specifier in `import ... from "./x.js"`, `export ... from "./x.js"`, `import "./x.js"` or
# `import("./x.js")`: the bundle rewrites it to the module's hashed URL (link_modules).
_RELATIVE_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])\./([^"'/\s]+\.js)\2""")
MEDIA_TYPES = {
    ".js": "text/javascript",  # Litestar adds "; charset=utf-8" to text types
    ".css": "text/css",
    ".png": "image/png",
    ".html": "text/html",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
}
# Text areas the PWA's scripts read (pwa/i18n.js), one hashed JSON per locale; the console's texts stay out.
PWA_TEXT_AREAS = ("shop.", "common.", "recs.", "reviews.", "returns.", "checkout.", "pickup.", "perks.")
# The few texts the service worker itself writes (the saved-copy banner, the last-resort offline answer).
WORKER_TEXTS = ("shop.offline.saved_copy", "shop.offline.plain")


def offline_url(locale: str) -> str:
    """The precached offline page of ``locale``."""
    return f"{OFFLINE_URL}/{locale}"


def pwa_texts(locale: str) -> bytes:
    """The texts pwa/i18n.js reads for ``locale``, as JSON."""
    texts = {key: text for key, text in sorted(i18n.catalog(locale).items()) if key.startswith(PWA_TEXT_AREAS)}
    return json.dumps(texts, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Asset:
    """One file the server hands out from the bundle."""

    body: bytes
    media_type: str
    revision: str


@dataclass
class Bundle:
    """Everything the pages and the service worker need, keyed by URL path."""

    version: str
    shell: Shell
    sw_js: bytes
    assets: dict[str, Asset] = field(default_factory=dict)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def minify_css(css: str) -> str:
    """Comments and spare whitespace out (the CSS is inlined into every page)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s+", " ", css)
    return re.sub(r"\s*([{};:,>])\s*", r"\1", css).replace(";}", "}").strip()


def render_icon(size: int, *, maskable: bool = False) -> bytes:
    """A PNG app icon: the brand mark drawn with Pillow (deterministic bytes for a given Pillow)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB" if maskable else "RGBA", (size, size), THEME if maskable else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if not maskable:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=THEME)
    # A bold "L" with a road stripe: the "last mile".
    inset = size * (0.3 if maskable else 0.24)
    unit = (size - 2 * inset) / 8
    x0, y0 = inset + unit, inset
    draw.rectangle((x0, y0, x0 + 2 * unit, y0 + 8 * unit), fill="white")
    draw.rectangle((x0, y0 + 6 * unit, x0 + 6 * unit, y0 + 8 * unit), fill="white")
    draw.rectangle((x0 + 3.5 * unit, y0 + 2 * unit, x0 + 4.5 * unit, y0 + 4.5 * unit), fill="#f2c14e")
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _hashed(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"/static/{stem}.{_digest(data)}{dot}{ext}"


def module_imports(source: str) -> list[str]:
    """The pwa/ file names a module imports with relative specifiers, in order of appearance."""
    return [m.group(3) for m in _RELATIVE_IMPORT.finditer(source)]


def link_modules(sources: dict[str, str]) -> dict[str, tuple[str, bytes]]:
    """Each module's hashed URL and bytes, with its relative imports rewritten to the hashed URLs.

    Dependencies are linked first, so a module's hash covers its dependencies' hashes: changing dom.js renames
    every module that imports it, and an immutable URL never points at a mix of two versions.
    """
    linked: dict[str, tuple[str, bytes]] = {}
    visiting: list[str] = []

    def link(name: str) -> str:
        if name in linked:
            return linked[name][0]
        if name in visiting:
            raise ValueError(f"pwa/ import cycle: {' -> '.join([*visiting[visiting.index(name):], name])}")
        visiting.append(name)
        source = sources[name]
        for dep in module_imports(source):
            if dep not in sources:
                raise ValueError(f"pwa/{name} imports ./{dep}, which is not a module in pwa/")
            link(dep)
        body = _RELATIVE_IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}{linked[m.group(3)][0]}{m.group(2)}", source).encode()
        visiting.pop()
        linked[name] = (_hashed(name, body), body)
        return linked[name][0]

    for name in sorted(sources):
        link(name)
    return linked


def build_bundle(pwa_dir: Path = PWA_DIR) -> Bundle:
    """Read pwa/, hash everything, and assemble the manifest, offline page and service worker."""
    assets: dict[str, Asset] = {}

    def add(url: str, body: bytes, suffix: str) -> str:
        assets[url] = Asset(body=body, media_type=MEDIA_TYPES[suffix], revision=_digest(body))
        return url

    icons = {}
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False), ("icon-maskable-512.png", 512, True)):
        data = render_icon(size, maskable=maskable)
        icons[name] = add(_hashed(name, data), data, ".png")

    # Every pwa/*.js but the shell and the worker, linked (relative imports → hashed URLs). Feature modules are
    # the ones no other module imports: app.js starts them after first paint; the rest load through imports.
    sources = {path.name: path.read_text() for path in sorted(pwa_dir.glob("*.js")) if path.name not in ("app.js", "sw.js")}
    linked = link_modules(sources)
    imported = {dep for source in sources.values() for dep in module_imports(source)}
    features, preload, worker_scripts = [], [], {}
    for name, (url, body) in sorted(linked.items()):
        add(url, body, ".js")
        if name in WORKER_SCRIPTS:
            worker_scripts[name] = url
        if not name.endswith("-sw.js"):
            (preload if name in imported else features).append(url)

    manifest = {
        "name": "Lastmile shop",
        "short_name": "Lastmile",
        "description": "Shop on any network, even offline.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": [
            {"src": icons["icon-192.png"], "sizes": "192x192", "type": "image/png"},
            {"src": icons["icon-512.png"], "sizes": "512x512", "type": "image/png"},
            {"src": icons["icon-maskable-512.png"], "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    add(MANIFEST_URL, json.dumps(manifest, indent=1).encode(), ".webmanifest")

    texts = {}
    for locale in i18n.SUPPORTED:
        body = pwa_texts(locale)
        texts[locale] = add(_hashed(f"texts-{locale}.json", body), body, ".json")
    slot = json.dumps({"features": features, "preload": preload, "icons": icons, "texts": texts,
                       "version": _digest(b"".join(a.body for a in assets.values()))})
    app_url, app_js = link_modules({**sources, "app.js": _ASSETS_SLOT.sub(lambda _: slot, (pwa_dir / "app.js").read_text())})["app.js"]
    add(app_url, app_js, ".js")

    css = minify_css((pwa_dir / "page.css").read_text())
    shell = Shell(css=css, app_js_url=app_url, manifest_url=MANIFEST_URL, theme_color=THEME)
    for locale in i18n.SUPPORTED:
        add(offline_url(locale), offline_page(shell, locale).encode(), ".html")

    precache = [{"url": url, "revision": asset.revision} for url, asset in sorted(assets.items())]
    version = _digest(json.dumps(precache).encode() + (pwa_dir / "sw.js").read_bytes())
    header = (
        f"const VERSION = {json.dumps(version)};\n"
        f"const OFFLINE_URLS = {json.dumps({locale: offline_url(locale) for locale in i18n.SUPPORTED})};\n"
        f"const TEXTS = {json.dumps({l: {k: i18n.t(l, k) for k in WORKER_TEXTS} for l in i18n.SUPPORTED}, ensure_ascii=False)};\n"
        f"const PRECACHE = {json.dumps(precache)};\n"
        f"importScripts(...{json.dumps([worker_scripts[n] for n in WORKER_SCRIPTS if n in worker_scripts])});\n"
    )
    sw_js = (header + (pwa_dir / "sw.js").read_text()).encode()
    return Bundle(version=version, shell=shell, sw_js=sw_js, assets=assets)


@lru_cache(maxsize=4)
def bundle_for(pwa_dir: Path = PWA_DIR) -> Bundle:
    """The bundle, built once per process."""
    return build_bundle(pwa_dir)
