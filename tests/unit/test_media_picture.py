"""`<picture>` markup: sources per format, JPEG fallback, escaping, placeholder, lower tiers cap the srcset."""

from __future__ import annotations

import re

from media.models import ProductImage, Variant
from media.negotiate import Hints
from media.picture import picture_html


def image(formats=("avif", "webp", "jpg"), placeholder="data:image/webp;base64,AAAA") -> ProductImage:
    return ProductImage(
        id="abc", width=1280, height=960, placeholder=placeholder,
        variants=[Variant(width=w, format=f, url=f"/media/abc/{w}.{f}", bytes=1) for w in (160, 320, 640, 960, 1280)
                  for f in formats],
    )


def srcset_widths(html: str, kind: str) -> list[int]:
    if kind == "img":
        match = re.search(r'<img[^>]* srcset="([^"]*)"', html)
    else:
        match = re.search(rf'<source type="image/{kind}" srcset="([^"]*)"', html)
    assert match, html
    return [int(part.split()[-1][:-1]) for part in match.group(1).split(", ")]


def test_picture_has_avif_and_webp_sources_and_a_jpeg_img():
    html = picture_html(image(), "Blue mug", sizes="(min-width: 40em) 50vw, 100vw")
    assert html.startswith("<picture><source type=\"image/avif\"") and html.endswith("></picture>")
    assert html.index("image/avif") < html.index("image/webp") < html.index("<img")
    assert [160, 320, 640, 960, 1280] == srcset_widths(html, "avif") == srcset_widths(html, "img")
    assert 'src="/media/abc/640.jpg"' in html
    assert 'sizes="(min-width: 40em) 50vw, 100vw"' in html
    assert 'width="1280" height="960"' in html and 'loading="lazy"' in html
    assert "url(data:image/webp;base64,AAAA)" in html


def test_alt_and_attributes_are_escaped():
    html = picture_html(image(), '"><script>alert(1)</script>', sizes='100vw" onload="x')
    assert "<script>" not in html and 'onload="x' not in html
    assert 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_sources_only_for_formats_that_exist():
    html = picture_html(image(formats=("webp", "jpg")), "x", eager=True)
    assert "image/avif" not in html and "image/webp" in html
    assert 'loading="eager"' in html and 'fetchpriority="high"' in html


def test_save_data_caps_the_srcset_at_the_lower_tier():
    html = picture_html(image(), "x", hints=Hints(save_data=True, dpr=3), display_width=360)
    assert [160, 320] == srcset_widths(html, "avif") == srcset_widths(html, "webp") == srcset_widths(html, "img")
    slow = picture_html(image(), "x", hints=Hints(ect="2g"), display_width=360)
    assert [160] == srcset_widths(slow, "img")
    fast = picture_html(image(), "x", hints=Hints(ect="4g", dpr=2), display_width=360)
    assert [160, 320, 640, 960, 1280] == srcset_widths(fast, "img")


def test_image_without_variants_shows_its_placeholder():
    html = picture_html(ProductImage(id="n", width=10, height=10, placeholder="data:image/webp;base64,QQ"), "n")
    assert 'src="data:image/webp;base64,QQ"' in html and "<source" not in html
