"""Negotiation: format from Accept, width from display width × DPR, lower tiers for Save-Data and slow networks."""

from __future__ import annotations

import pytest

from media.models import ProductImage, Variant
from media.negotiate import VARY_HEADERS, Hints, choose_for_hints, choose_variant, hints_from_headers, tier, vary_header

CHROME = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
OLD_SAFARI = "image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
PLAIN = "*/*"


def image(widths=(160, 320, 640, 960, 1280), formats=("avif", "webp", "jpg")) -> ProductImage:
    return ProductImage(
        id="i", width=widths[-1], height=widths[-1] * 3 // 4,
        variants=[Variant(width=w, format=f, url=f"/media/i/{w}.{f}", bytes=w) for w in widths for f in formats],
    )


@pytest.mark.parametrize(
    ("accept", "dpr", "save_data", "ect", "downlink", "display", "expected"),
    [
        # format follows Accept; JPEG when nothing better is named
        (CHROME, 1, False, "", None, 320, (320, "avif")),
        (OLD_SAFARI, 1, False, "", None, 320, (320, "webp")),
        (PLAIN, 1, False, "", None, 320, (320, "jpg")),
        ("", 1, False, "", None, 320, (320, "jpg")),
        ("image/avif;q=0, image/webp", 1, False, "", None, 320, (320, "webp")),
        # full tier: display × DPR rounded up to the next width, capped at the largest
        (CHROME, 2, False, "4g", 10.0, 360, (960, "avif")),
        (CHROME, 3, False, "4g", None, 400, (1280, "avif")),
        (CHROME, 1, False, "", None, 100, (160, "avif")),
        (CHROME, 1.5, False, "", None, 200, (320, "avif")),
        (CHROME, 10, False, "", None, 360, (1280, "avif")),  # DPR clamped to 3
        # lite tier: Save-Data, ECT 3g, Downlink < 1 Mbps → DPR ignored, rounded down
        (CHROME, 2, True, "4g", 10.0, 360, (320, "avif")),
        (CHROME, 3, False, "3g", None, 700, (640, "avif")),
        (CHROME, 2, False, "", 0.7, 360, (320, "avif")),
        (PLAIN, 2, True, "", None, 360, (320, "jpg")),
        # min tier: ECT 2g/slow-2g or Downlink < 0.25 → half the display width, rounded down
        (CHROME, 2, False, "2g", None, 360, (160, "avif")),
        (CHROME, 2, True, "slow-2g", None, 700, (320, "avif")),
        (OLD_SAFARI, 1, False, "", 0.1, 1280, (640, "webp")),
        (CHROME, 1, False, "2g", None, 100, (160, "avif")),  # never below the smallest
    ],
)
def test_negotiation_table(accept, dpr, save_data, ect, downlink, display, expected):
    chosen = choose_variant(image(), accept=accept, dpr=dpr, save_data=save_data, ect=ect, downlink=downlink,
                            display_width=display)
    assert chosen is not None
    assert expected == (chosen.width, chosen.format)


def test_avif_not_built_yet_falls_back_to_webp():
    chosen = choose_variant(image(formats=("webp", "jpg")), accept=CHROME, display_width=320)
    assert chosen is not None and ("webp", 320) == (chosen.format, chosen.width)


def test_small_original_offers_its_own_size():
    chosen = choose_variant(image(widths=(160, 320, 600)), accept=PLAIN, dpr=2, display_width=400)
    assert chosen is not None and 600 == chosen.width


def test_no_variants_gives_none():
    assert choose_variant(ProductImage(id="x", width=1, height=1), accept=CHROME) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, Hints()),
        ({"accept": CHROME, "sec-ch-dpr": "2", "save-data": "on", "ect": "3G", "downlink": "1.45"},
         Hints(accept=CHROME, dpr=2.0, save_data=True, ect="3g", downlink=1.45)),
        ({"dpr": "1.5", "save-data": "off"}, Hints(dpr=1.5)),
        ({"dpr": "nan", "downlink": "-3", "save-data": "yes"}, Hints()),
        ({"sec-ch-dpr": "abc", "dpr": "2"}, Hints(dpr=2.0)),
    ],
)
def test_hints_from_headers(headers, expected):
    assert expected == hints_from_headers(headers)


def test_choose_for_hints_matches_choose_variant():
    hints = Hints(accept=CHROME, dpr=2, save_data=True)
    assert choose_variant(image(), accept=CHROME, dpr=2, save_data=True, display_width=500) == choose_for_hints(
        image(), hints, 500)


@pytest.mark.parametrize(
    ("save_data", "ect", "downlink", "expected"),
    [(False, "", None, "full"), (False, "4g", 20.0, "full"), (True, "4g", 20.0, "lite"), (False, "3g", None, "lite"),
     (False, "", 0.5, "lite"), (False, "2g", None, "min"), (False, "slow-2g", None, "min"), (True, "", 0.1, "min")],
)
def test_tiers(save_data, ect, downlink, expected):
    assert expected == tier(save_data=save_data, ect=ect, downlink=downlink)


def test_vary_names_every_header_negotiation_reads():
    assert "Accept, Sec-CH-DPR, DPR, Save-Data, ECT, Downlink, Accept-Encoding" == vary_header(["Accept-Encoding", "accept"])
    assert {"Accept", "Save-Data", "ECT", "Downlink", "DPR", "Sec-CH-DPR"} == set(VARY_HEADERS)
