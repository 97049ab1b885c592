"""Choosing a variant for a request: format from Accept, width from display width × DPR, tier from the network.

Tiers: ``full`` serves display width × DPR rounded up to the next variant; ``lite`` (Save-Data: on, ECT 3g,
or Downlink under 1 Mbps) ignores DPR and rounds down; ``min`` (ECT 2g/slow-2g, or Downlink under 0.25 Mbps)
aims at half the display width, rounded down. Stepping a width down saves more bytes than a lower-quality
encoding at the same width (docs/performance.md), so the lower tiers reuse the same variants.
"""

from __future__ import annotations

import math
from typing import Iterable, Literal, Mapping

import msgspec

from .models import ProductImage, Variant

Tier = Literal["full", "lite", "min"]

VARY_HEADERS: tuple[str, ...] = ("Accept", "Sec-CH-DPR", "DPR", "Save-Data", "ECT", "Downlink")
"""Request headers a negotiated response depends on (its ``Vary``)."""

ACCEPT_CH = "Sec-CH-DPR, DPR, ECT, Downlink"
"""Client hints a page asks for (Save-Data is always sent when the shopper turned it on)."""

_FORMAT_TYPES = (("avif", "image/avif"), ("webp", "image/webp"))
_VERY_SLOW_ECT = {"slow-2g", "2g"}
_SLOW_ECT = {"3g"}
MAX_DPR = 3.0
DEFAULT_DISPLAY_WIDTH = 360


class Hints(msgspec.Struct, frozen=True):
    """What a request says about the client: formats, pixel density, data saving, network quality."""

    accept: str = ""
    dpr: float = 1.0
    save_data: bool = False
    ect: str = ""
    downlink: float | None = None


def _float(raw: str | None) -> float | None:
    try:
        value = float((raw or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def hints_from_headers(headers: Mapping[str, str]) -> Hints:
    """Hints from request headers (a case-insensitive mapping such as Litestar's); junk values are ignored."""
    dpr = _float(headers.get("sec-ch-dpr")) or _float(headers.get("dpr")) or 1.0
    return Hints(
        accept=(headers.get("accept") or "")[:1024],
        dpr=dpr,
        save_data=(headers.get("save-data") or "").strip().lower() == "on",
        ect=(headers.get("ect") or "").strip().lower()[:16],
        downlink=_float(headers.get("downlink")),
    )


def vary_header(extra: Iterable[str] = ()) -> str:
    """The ``Vary`` value for a response built with negotiate (plus ``extra``, e.g. Accept-Encoding)."""
    names = list(VARY_HEADERS)
    names += [e for e in extra if e.lower() not in {n.lower() for n in names}]
    return ", ".join(names)


def tier(*, save_data: bool = False, ect: str = "", downlink: float | None = None) -> Tier:
    """How much to hold back for this network (see the module docstring)."""
    ect = ect.lower()
    if ect in _VERY_SLOW_ECT or (downlink is not None and downlink < 0.25):
        return "min"
    if save_data or ect in _SLOW_ECT or (downlink is not None and downlink < 1.0):
        return "lite"
    return "full"


def accepted_formats(accept: str) -> list[str]:
    """Formats this Accept header allows, best first; JPEG is always allowed (every browser decodes it)."""
    allowed = []
    ranges = {}
    for part in accept.lower().split(","):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                q = _float(f[2:]) or 0.0
        ranges[fields[0]] = q
    for fmt, media_type in _FORMAT_TYPES:
        if ranges.get(media_type, 0.0) > 0:
            allowed.append(fmt)
    return allowed + ["jpg"]


def target_width(display_width: int, dpr: float, level: Tier) -> int:
    """The pixel width to aim at."""
    display_width = max(1, min(int(display_width), 4096))
    dpr = max(1.0, min(dpr, MAX_DPR))
    if level == "full":
        return math.ceil(display_width * dpr)
    if level == "lite":
        return display_width
    return max(1, display_width // 2)


def pick_width(widths: list[int], target: int, level: Tier) -> int:
    """From sorted widths: the smallest that covers ``target`` (full tier) or the largest within it (lower tiers)."""
    if level == "full":
        return next((w for w in widths if w >= target), widths[-1])
    within = [w for w in widths if w <= target]
    return within[-1] if within else widths[0]


def choose_variant(
    image: ProductImage,
    *,
    accept: str = "",
    dpr: float = 1.0,
    save_data: bool = False,
    ect: str = "",
    downlink: float | None = None,
    display_width: int = DEFAULT_DISPLAY_WIDTH,
) -> Variant | None:
    """The variant to send for this request, from those that exist (None if the image has none yet)."""
    by_format: dict[str, list[Variant]] = {}
    for v in image.variants:
        by_format.setdefault(v.format, []).append(v)
    fmt = next((f for f in accepted_formats(accept) if f in by_format), None)
    if fmt is None:
        return None
    level = tier(save_data=save_data, ect=ect, downlink=downlink)
    variants = sorted(by_format[fmt], key=lambda v: v.width)
    width = pick_width([v.width for v in variants], target_width(display_width, dpr, level), level)
    return next(v for v in variants if v.width == width)


def choose_for_hints(image: ProductImage, hints: Hints, display_width: int = DEFAULT_DISPLAY_WIDTH) -> Variant | None:
    """choose_variant with the hints of a request."""
    return choose_variant(image, accept=hints.accept, dpr=hints.dpr, save_data=hints.save_data, ect=hints.ect,
                          downlink=hints.downlink, display_width=display_width)
