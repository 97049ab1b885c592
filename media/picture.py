"""`<picture>` markup from an image's variants: AVIF and WebP sources, a JPEG `<img>`, the placeholder behind it."""

from __future__ import annotations

from html import escape

from .models import ProductImage, Variant
from .negotiate import DEFAULT_DISPLAY_WIDTH, Hints, pick_width, target_width, tier

_SOURCES = (("avif", "image/avif"), ("webp", "image/webp"))


def _attr(name: str, value: str | int) -> str:
    return f' {name}="{escape(str(value), quote=True)}"'


def _srcset(variants: list[Variant]) -> str:
    return ", ".join(f"{v.url} {v.width}w" for v in variants)


def picture_html(
    image: ProductImage,
    alt: str,
    sizes: str = "100vw",
    hints: Hints | None = None,
    *,
    display_width: int = DEFAULT_DISPLAY_WIDTH,
    eager: bool = False,
) -> str:
    """Markup that lets the browser pick format and width; on a slow network or with Save-Data (``hints``)
    the srcset stops at the lower tier's width so a dense screen cannot pull a bigger file."""
    by_format: dict[str, list[Variant]] = {}
    for v in sorted(image.variants, key=lambda v: v.width):
        by_format.setdefault(v.format, []).append(v)
    if hints is not None:
        level = tier(save_data=hints.save_data, ect=hints.ect, downlink=hints.downlink)
        if level != "full":
            for fmt, variants in by_format.items():
                cap = pick_width([v.width for v in variants], target_width(display_width, hints.dpr, level), level)
                by_format[fmt] = [v for v in variants if v.width <= cap]
    placeholder = f"background:center/cover no-repeat url({image.placeholder})" if image.placeholder else ""
    img = "<img" + _attr("alt", alt) + _attr("width", image.width) + _attr("height", image.height)
    fallback = by_format.get("jpg") or by_format.get("webp") or []
    if fallback:
        img += _attr("src", _middle(fallback, display_width).url)
        img += _attr("srcset", _srcset(fallback)) + _attr("sizes", sizes)
    elif image.placeholder:
        img += _attr("src", image.placeholder)
    img += _attr("decoding", "async") + _attr("loading", "eager" if eager else "lazy")
    if eager:
        img += _attr("fetchpriority", "high")
    if placeholder:
        img += _attr("style", placeholder)
    img += ">"
    sources = "".join(
        "<source" + _attr("type", media_type) + _attr("srcset", _srcset(by_format[fmt])) + _attr("sizes", sizes) + ">"
        for fmt, media_type in _SOURCES
        if by_format.get(fmt)
    )
    return f"<picture>{sources}{img}</picture>"


def _middle(variants: list[Variant], display_width: int) -> Variant:
    """The `src` for browsers without srcset: the first variant covering the display width at 1x."""
    return next((v for v in variants if v.width >= display_width), variants[-1])
