"""Pure parts of the pages: price text, client hints, inline image choice, CSS minifying, icons."""

import io

import pytest

from catalog.money import format_price
from media.models import ProductImage, Variant
from server.pages.assets import minify_css, render_icon
from server.pages.format import availability_text
from server.pages.images import Hints, choose_inline, read_hints, srcset


def test_prices_are_formatted_from_minor_units_per_currency():
    assert "€12.90" == format_price(1290, "EUR")
    assert "€0.05" == format_price(5, "EUR")
    assert "$1,234,567.00" == format_price(123456700, "USD")
    assert "¥1,290" == format_price(1290, "JPY")
    assert "1.290 KWD" == format_price(1290, "KWD")
    assert "12.90 CHF" == format_price(1290, "CHF")


def test_availability_text_gives_a_count_only_when_stock_is_low():
    assert "In stock" == availability_text("in_stock", 40)
    assert "Only a few left (3)" == availability_text("low_stock", 3)
    assert "Out of stock" == availability_text("out_of_stock", 0)


def test_hints_are_read_and_a_phone_without_a_dpr_hint_counts_as_2x():
    hints = read_hints({"save-data": "on", "ect": "2g", "sec-ch-dpr": "2.625", "accept": "image/avif,image/webp"})
    assert Hints(accept="image/avif,image/webp", save_data=True, ect="2g", dpr=2.625) == hints
    assert 1.0 == read_hints({"sec-ch-dpr": "nan", "save-data": "yes"}).dpr
    assert not read_hints({"save-data": "yes"}).save_data
    assert 2.0 == read_hints({"sec-ch-ua-mobile": "?1"}).dpr  # a phone's first visit carries no DPR hint
    assert 1.0 == read_hints({"sec-ch-ua-mobile": "?1", "sec-ch-dpr": "1"}).dpr
    assert 1.0 == read_hints({"sec-ch-ua-mobile": "?0"}).dpr


def _image(sizes: dict[tuple[int, str], int]) -> ProductImage:
    variants = [Variant(width=w, format=f, url=f"/media/{'a' * 64}/{w}.{f}", bytes=b) for (w, f), b in sizes.items()]
    return ProductImage(id="a" * 64, width=1280, height=960, variants=variants)


IMAGE = _image({
    (160, "webp"): 3_000, (320, "webp"): 9_000, (640, "webp"): 24_000,
    (160, "jpg"): 5_000, (320, "jpg"): 15_000, (640, "jpg"): 40_000,
})
ACCEPT = "text/html,image/avif,image/webp,*/*"


def test_inline_image_fits_the_budget_and_follows_save_data_and_network():
    assert (320, "webp") == _key(choose_inline(IMAGE, Hints(accept=ACCEPT)))
    # Save-Data aims at 1x (320) but has a smaller inline budget: 160 is what fits
    assert (160, "webp") == _key(choose_inline(IMAGE, Hints(accept=ACCEPT, save_data=True)))
    assert (160, "webp") == _key(choose_inline(IMAGE, Hints(accept=ACCEPT, ect="slow-2g")))
    # a dense fast screen aims at 640+, but 640 is over the inline budget: the largest that fits is taken
    assert (320, "webp") == _key(choose_inline(IMAGE, Hints(accept=ACCEPT, dpr=3.0, ect="4g")))
    small = _image({(320, "webp"): 4_000, (640, "webp"): 9_000, (960, "webp"): 30_000})
    assert (640, "webp") == _key(choose_inline(small, Hints(accept=ACCEPT, dpr=2.0)))
    assert (320, "jpg") == _key(choose_inline(IMAGE, Hints(accept="text/html")))
    assert choose_inline(ProductImage(id="b", width=10, height=10), Hints(accept=ACCEPT)) is None


def _key(variant):
    return (variant.width, variant.format) if variant else None


def test_srcset_lists_one_format_by_width():
    expected = f"/media/{'a' * 64}/160.webp 160w, /media/{'a' * 64}/320.webp 320w"
    assert expected == srcset(IMAGE, "webp", max_width=320)


def test_css_is_minified_without_changing_rules():
    assert "a{color:red}b>i{margin:0 1px}" == minify_css("/* c */ a { color: red; }\n b > i {\n margin: 0 1px;\n}")


@pytest.mark.parametrize("size, maskable", [(192, False), (512, True)])
def test_icons_are_square_pngs_of_the_asked_size(size, maskable):
    from PIL import Image

    image = Image.open(io.BytesIO(render_icon(size, maskable=maskable)))
    assert ("PNG", (size, size)) == (image.format, image.size)
