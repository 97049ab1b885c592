"""Images on the pages: client hints, the small inline first image, srcset and <picture> markup.

Negotiation and markup come from media.negotiate / media.picture when those modules exist; until then a
small local fallback picks from ``ProductImage.variants`` (which may be empty: then only the placeholder shows).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Mapping

from catalog.models import ProductImage, Variant

try:  # media helper's modules (issue 3); the fallbacks below keep pages working without them
    from media import negotiate as _negotiate
except ImportError:  # pragma: no cover - depends on what has been merged
    _negotiate = None  # type: ignore[assignment]
try:
    from media import picture as _picture
except ImportError:  # pragma: no cover
    _picture = None  # type: ignore[assignment]
try:
    from media import variants as _variants
except ImportError:  # pragma: no cover
    _variants = None  # type: ignore[assignment]
from media.errors import MediaError

# Request headers the pages read; every page response names them in Vary.
HINT_HEADERS = ("Accept", "Save-Data", "ECT", "Sec-CH-DPR", "DPR", "Sec-CH-UA-Mobile")
# Hints asked for on later requests (no Critical-CH: its retry would cost a whole round trip on a cold visit).
ACCEPT_CH = "Sec-CH-DPR, DPR, ECT, Downlink"
SLOW_ECT = frozenset({"slow-2g", "2g"})
MOBILE_DPR = 2.0
# Raw bytes of the inline first image: base64 then brotli lands near this, leaving room under the 30 KB page budget.
INLINE_BUDGET = 16_000
INLINE_BUDGET_SAVE_DATA = 7_000
HERO_CSS_WIDTH = 320
MIME = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
_VARIANT_URL = re.compile(r"^/media/[0-9a-f]{64}/(?P<width>[0-9]{2,5})\.[a-z]{3,4}$")
_DATA_URI = re.compile(r"^data:image/(?:png|jpeg|webp|avif|gif);base64,[A-Za-z0-9+/]+={0,2}$")


@dataclass(frozen=True)
class Hints:
    """What the request tells about the client: formats it decodes, Save-Data, network class, pixel ratio."""

    accept: str = ""
    save_data: bool = False
    ect: str = ""
    dpr: float = 1.0
    downlink: float | None = None


def _number(raw: str | None, lo: float, hi: float) -> float | None:
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return None if value is None or value != value else min(hi, max(lo, value))


def read_hints(headers: Mapping[str, str]) -> Hints:
    """Hints from request headers; anything malformed is ignored, never an error."""
    ect = (headers.get("ect") or "").strip().lower()
    dpr = _number(headers.get("sec-ch-dpr") or headers.get("dpr"), 1.0, 4.0)
    if dpr is None:  # a first visit sends no DPR hint; phones (a low-entropy hint Chrome always sends) are dense
        dpr = MOBILE_DPR if (headers.get("sec-ch-ua-mobile") or "").strip() == "?1" else 1.0
    return Hints(
        accept=(headers.get("accept") or "")[:1024],
        save_data=(headers.get("save-data") or "").strip().lower() == "on",
        ect=ect if ect in ("slow-2g", "2g", "3g", "4g") else "",
        dpr=dpr,
        downlink=_number(headers.get("downlink"), 0.0, 10_000.0),
    )


def formats_for(accept: str) -> list[str]:
    """Formats in order of preference that this Accept header says the client decodes (JPEG always)."""
    order = [fmt for fmt, mime in (("avif", "image/avif"), ("webp", "image/webp")) if mime in accept]
    return order + ["jpg"]


def _best_format(image: ProductImage, hints: Hints) -> str | None:
    have = {v.format for v in image.variants}
    return next((f for f in formats_for(hints.accept) if f in have), None)


def _widths(image: ProductImage, fmt: str) -> list[Variant]:
    return sorted((v for v in image.variants if v.format == fmt), key=lambda v: v.width)


def inline_width(hints: Hints) -> int:
    """The width the inline image aims for: small on a very slow network, 1x on Save-Data or 3g, else 1x or 2x."""
    if hints.ect in SLOW_ECT:
        return HERO_CSS_WIDTH // 2
    if hints.save_data or hints.ect == "3g":
        return HERO_CSS_WIDTH
    return HERO_CSS_WIDTH * 2 if hints.dpr >= 2 else HERO_CSS_WIDTH


def choose_inline(image: ProductImage, hints: Hints) -> Variant | None:
    """The variant to inline as a data URI: the negotiated one, shrunk until it fits the inline byte budget."""
    if not image.variants:
        return None
    budget = INLINE_BUDGET_SAVE_DATA if hints.save_data else INLINE_BUDGET
    chosen = None
    if _negotiate is not None:
        chosen = _negotiate.choose_variant(
            image, accept=hints.accept, dpr=hints.dpr, save_data=hints.save_data, ect=hints.ect,
            downlink=hints.downlink, display_width=HERO_CSS_WIDTH,
        )
    fmt = chosen.format if chosen is not None else _best_format(image, hints)
    if fmt is None:
        return None
    aim = min(chosen.width, inline_width(hints)) if chosen is not None else inline_width(hints)
    fitting = [v for v in _widths(image, fmt) if v.bytes and v.bytes <= budget]
    under = [v for v in fitting if v.width <= aim]
    return (under or fitting[:1] or [None])[-1]


@lru_cache(maxsize=256)
def _data_uri(data_dir: str, image_id: str, width: int, fmt: str) -> str | None:
    """The variant's bytes as a data URI (variants are immutable, so a bounded cache is safe)."""
    if _variants is None:
        return None
    try:
        data = _variants.read_variant_bytes(Path(data_dir), image_id, width, fmt)
    except (OSError, MediaError):
        return None
    if not data or len(data) > INLINE_BUDGET:
        return None
    return f"data:{MIME.get(fmt, 'application/octet-stream')};base64,{base64.b64encode(data).decode()}"


def inline_data_uri(data_dir: Path, image: ProductImage, variant: Variant) -> str | None:
    """A data URI for this variant, or None when its bytes are not at hand."""
    match = _VARIANT_URL.match(variant.url)  # the URL names the configured width; variant.width is the pixel width
    if match is None:
        return None
    return _data_uri(str(data_dir), image.id, int(match["width"]), variant.format)


def placeholder_uri(image: ProductImage | None) -> str | None:
    """The image's placeholder when it is an inline data URI safe to put in a style attribute."""
    if image is None or not image.placeholder or len(image.placeholder) > 4096:
        return None
    return image.placeholder if _DATA_URI.match(image.placeholder) else None


def srcset(image: ProductImage, fmt: str, max_width: int | None = None) -> str:
    """``url 320w, url 640w, ...`` for one format."""
    return ", ".join(f"{v.url} {v.width}w" for v in _widths(image, fmt) if max_width is None or v.width <= max_width)


def placeholder_style(image: ProductImage | None, width: int, height: int) -> str:
    """A style attribute value reserving the box (no layout shift) with the placeholder behind it."""
    style = f"aspect-ratio:{max(1, width)}/{max(1, height)}"
    uri = placeholder_uri(image)
    if uri:
        style += f";background-image:url({uri})"
    return style


def hero_img(data_dir: Path, image: ProductImage, alt: str, hints: Hints) -> str:
    """The first image: inline data URI (no second round trip), larger widths offered to app.js as data-srcset."""
    variant = choose_inline(image, hints)
    uri = inline_data_uri(data_dir, image, variant) if variant is not None else None
    if uri is None or variant is None:
        return ""
    upgrade = srcset(image, variant.format)
    height = round(image.height * HERO_CSS_WIDTH / max(1, image.width))
    return (
        f'<img src="{uri}" alt="{escape(alt)}" width="{HERO_CSS_WIDTH}" height="{height}" fetchpriority="high"'
        f' data-srcset="{escape(upgrade)}" data-sizes="(min-width: 48rem) 480px, calc(100vw - 2rem)">'
    )


def thumb_img(image: ProductImage, hints: Hints, *, eager: bool) -> str:
    """A listing thumbnail: smallest widths only, lazy below the fold."""
    fmt = _best_format(image, hints)
    if fmt is None:
        return ""
    small = _widths(image, fmt)
    first = small[0]
    height = round(image.height * first.width / max(1, image.width))
    lazy = "" if eager else ' loading="lazy"'
    return (
        f'<img src="{escape(first.url)}" srcset="{escape(srcset(image, fmt, 320))}"'
        f' sizes="(min-width: 40rem) 12rem, 46vw" width="{first.width}" height="{height}" alt=""'
        f' decoding="async"{lazy}>'
    )


def gallery_picture(image: ProductImage, alt: str, hints: Hints) -> str:
    """A further product image as <picture>, lazy (never competes with the first image)."""
    if not image.variants:
        return ""
    if _picture is not None and _negotiate is not None:
        theirs = _negotiate.Hints(accept=hints.accept, dpr=hints.dpr, save_data=hints.save_data, ect=hints.ect,
                                  downlink=hints.downlink)
        return _picture.picture_html(image, alt, sizes="9rem", hints=theirs, display_width=144)
    sources = []
    formats = [f for f in ("avif", "webp") if any(v.format == f for v in image.variants)]
    for fmt in formats:
        sources.append(f'<source type="{MIME[fmt]}" srcset="{escape(srcset(image, fmt, 640))}" sizes="9rem">')
    fallback = "jpg" if any(v.format == "jpg" for v in image.variants) else (formats[-1] if formats else None)
    if fallback is None:
        return ""
    first = _widths(image, fallback)[0]
    height = round(image.height * first.width / max(1, image.width))
    return (
        "<picture>" + "".join(sources)
        + f'<img src="{escape(first.url)}" srcset="{escape(srcset(image, fallback, 640))}" sizes="9rem"'
        f' width="{first.width}" height="{height}" alt="{escape(alt)}" loading="lazy" decoding="async"></picture>'
    )
