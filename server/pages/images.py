"""Images on the pages: client hints, the small inline first image, srcset and <picture> markup.

Negotiation (format, width, network tier) is media.negotiate's; markup for further images is media.picture's;
this module adds what is page-specific: an inline-byte budget, a phone default for the pixel ratio, thumbnails.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Mapping

from media.errors import MediaError
from media.models import ProductImage, Variant
from media.negotiate import ACCEPT_CH, VARY_HEADERS, Hints, accepted_formats, choose_variant, hints_from_headers
from media.picture import picture_html
from media.variants import CONTENT_TYPES, read_variant_bytes

__all__ = ["ACCEPT_CH", "HINT_HEADERS", "Hints", "read_hints"]

# Request headers the pages read; every page response names them in Vary (no Critical-CH: its retry
# would cost a whole round trip on a cold visit, so hints only help from the second response on).
HINT_HEADERS = (*VARY_HEADERS, "Sec-CH-UA-Mobile")
MOBILE_DPR = 2.0
# Raw bytes of the inline first image: base64 then brotli lands near this, leaving room under the 30 KB page budget.
INLINE_BUDGET = 16_000
INLINE_BUDGET_SAVE_DATA = 7_000
HERO_CSS_WIDTH = 320
_VARIANT_URL = re.compile(r"^/media/[0-9a-f]{64}/(?P<width>[0-9]{2,5})\.[a-z]{3,4}$")
_DATA_URI = re.compile(r"^data:image/(?:png|jpeg|webp|avif|gif);base64,[A-Za-z0-9+/]+={0,2}$")


def read_hints(headers: Mapping[str, str]) -> Hints:
    """media.negotiate's hints, with a phone's first visit (no DPR hint yet) taken as a 2x screen."""
    hints = hints_from_headers(headers)
    has_dpr = headers.get("sec-ch-dpr") or headers.get("dpr")
    if not has_dpr and (headers.get("sec-ch-ua-mobile") or "").strip() == "?1":
        return Hints(accept=hints.accept, dpr=MOBILE_DPR, save_data=hints.save_data, ect=hints.ect,
                     downlink=hints.downlink)
    return hints


def _best_format(image: ProductImage, hints: Hints) -> str | None:
    have = {v.format for v in image.variants}
    return next((f for f in accepted_formats(hints.accept) if f in have), None)


def _widths(image: ProductImage, fmt: str) -> list[Variant]:
    return sorted((v for v in image.variants if v.format == fmt), key=lambda v: v.width)


def choose_inline(image: ProductImage, hints: Hints) -> Variant | None:
    """The variant to inline as a data URI: the negotiated one, stepped down until it fits the inline byte budget."""
    chosen = choose_variant(image, accept=hints.accept, dpr=hints.dpr, save_data=hints.save_data, ect=hints.ect,
                            downlink=hints.downlink, display_width=HERO_CSS_WIDTH)
    if chosen is None:
        return None
    budget = INLINE_BUDGET_SAVE_DATA if hints.save_data else INLINE_BUDGET
    fitting = [v for v in _widths(image, chosen.format) if v.bytes and v.bytes <= budget]
    under = [v for v in fitting if v.width <= chosen.width]
    return (under or fitting[:1] or [None])[-1]


@lru_cache(maxsize=256)
def _data_uri(data_dir: str, image_id: str, width: int, fmt: str) -> str | None:
    """The variant's bytes as a data URI (variants are immutable, so a bounded cache is safe)."""
    try:
        data = read_variant_bytes(Path(data_dir), image_id, width, fmt)
    except (OSError, MediaError):
        return None
    if not data or len(data) > INLINE_BUDGET:
        return None
    return f"data:{CONTENT_TYPES.get(fmt, 'application/octet-stream')};base64,{base64.b64encode(data).decode()}"


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
    """A further product image as media.picture's <picture>, lazy (never competes with the first image)."""
    if not image.variants:
        return ""
    return picture_html(image, alt, sizes="9rem", hints=hints, display_width=144)
