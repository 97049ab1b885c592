"""Server-rendered HTML of the shop pages: product, listing, not-found, offline. Every value is escaped.

Each page is one self-contained response: critical CSS inline, no render-blocking requests; the only
script is the app shell module at the end of the body (modules are deferred), loaded after first paint.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from string import Template
from urllib.parse import quote, urlencode

from catalog.models import Product, ProductPage, ProductSummary
from catalog.money import format_price
from server.pages.format import (
    AVAILABILITY_LABELS,
    availability_text,
    category_title,
)
from server.pages.images import (
    Hints,
    gallery_picture,
    hero_img,
    placeholder_style,
    thumb_img,
)

# Marker right after <body>: the service worker puts its "saved copy from ..." note there.
BANNER_MARK = "<!--lm:banner-->"
# An inline favicon: no request for it on a cold visit.
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect width='16' height='16' rx='3' fill='%230b5d4b'/%3E%3Cpath d='M5 3h2v8h4v2H5z' fill='%23fff'/%3E%3C/svg%3E"
)
THUMBS_EAGER = 4


@dataclass(frozen=True)
class Shell:
    """What every page links or inlines from the PWA bundle."""

    css: str
    app_js_url: str
    manifest_url: str = "/manifest.webmanifest"
    theme_color: str = "#0b5d4b"


_DOCUMENT = Template(
    """<!doctype html>
<html lang="en"$html_attrs><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>$title</title>
<meta name="description" content="$description">
<meta name="theme-color" content="$theme_color">
<link rel="icon" href="$favicon">
<link rel="manifest" href="$manifest_url">
<style>$css</style>
</head><body>$banner
<header class="bar"><a class="brand" href="/">Lastmile</a>
<form action="/" method="get" role="search"><input name="q" type="search" value="$q" placeholder="Search" aria-label="Search products" maxlength="200"></form>
<nav id="lm-account" aria-label="Account"></nav></header>
<div class="wrap">$body</div>
<footer>Lastmile · prices include VAT · <a href="/">All products</a></footer>
<script type="module" src="$app_js_url"></script>
</body></html>
"""
)


def document(shell: Shell, *, title: str, body: str, description: str = "", q: str = "", html_attrs: str = "") -> str:
    """The page frame around ``body`` (already-escaped HTML)."""
    return _DOCUMENT.substitute(
        html_attrs=html_attrs,
        title=escape(title),
        description=escape(description[:160]),
        theme_color=escape(shell.theme_color),
        favicon=FAVICON,
        manifest_url=escape(shell.manifest_url),
        css=shell.css,
        banner=BANNER_MARK,
        q=escape(q),
        body=body,
        app_js_url=escape(shell.app_js_url),
    )


def product_url(product_id: str) -> str:
    """The product page's path."""
    return "/p/" + quote(product_id, safe="")


def category_url(category: str) -> str:
    """A category listing's path."""
    return "/c/" + quote(category, safe="")


def _category_nav(categories: list[str], current: str | None) -> str:
    items = ['<li><a href="/"' + ("" if current else ' aria-current="page"') + ">All</a></li>"]
    for name in categories:
        mark = ' aria-current="page"' if name == current else ""
        items.append(f'<li><a href="{escape(category_url(name))}"{mark}>{escape(category_title(name))}</a></li>')
    return '<ul class="cats">' + "".join(items) + "</ul>"


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + escape(p).replace("\n", "<br>") + "</p>" for p in parts)


def _card(item: ProductSummary, hints: Hints, *, eager: bool) -> str:
    image = item.image
    thumb = thumb_img(image, hints, eager=eager) if image is not None else ""
    style = placeholder_style(image, image.width, image.height) if image is not None else "aspect-ratio:4/3"
    return (
        f'<li><a href="{escape(product_url(item.id))}"><span class="thumb" style="{escape(style)}">{thumb}</span>'
        f'<span class="card"><b>{escape(item.name)}</b><span>{escape(format_price(item.price, item.currency))}'
        f" · {escape(AVAILABILITY_LABELS.get(item.availability, item.availability))}"
        "</span></span></a></li>"
    )


def product_page(
    shell: Shell, product: Product, hints: Hints, data_dir: Path, related: list[ProductSummary]
) -> str:
    """The product page: everything a shopper needs is in this one response."""
    first = product.images[0] if product.images else None
    hero = ""
    if first is not None:
        style = placeholder_style(first, first.width, first.height)
        hero = f'<figure class="hero" style="{escape(style)}">{hero_img(data_dir, first, product.name, hints)}</figure>'
    else:
        hero = '<figure class="hero" style="aspect-ratio:4/3"></figure>'
    gallery = "".join(gallery_picture(image, product.name, hints) for image in product.images[1:])
    price = format_price(product.price, product.currency)
    related_items = [r for r in related if r.id != product.id][:4]
    more = ""
    if related_items:
        more = (
            f"<section><h2>More in {escape(category_title(product.category))}</h2>"
            '<ul class="grid">' + "".join(_card(r, hints, eager=False) for r in related_items) + "</ul></section>"
        )
    body = (
        f'<nav class="crumbs" aria-label="Breadcrumb"><a href="/">All products</a> › '
        f'<a href="{escape(category_url(product.category))}">{escape(category_title(product.category))}</a></nav>'
        f'<main class="product" data-product-id="{escape(product.id)}" data-version="{product.version}">'
        f"{hero}<div class=\"info\"><h1>{escape(product.name)}</h1>"
        f'<p class="price" data-minor="{product.price}" data-currency="{escape(product.currency)}">{escape(price)}</p>'
        f'<p class="stock {escape(product.availability)}" data-stock="{product.stock}">'
        f"{escape(availability_text(product.availability, product.stock))}</p>"
        f'<div id="lm-actions" data-sku="{escape(product.id)}"></div>'
        f'<div class="desc">{_paragraphs(product.description)}</div>'
        + (f'<div class="gallery">{gallery}</div>' if gallery else "")
        + "</div></main>"
        + more
    )
    return document(
        shell,
        title=f"{product.name} · {price} · Lastmile",
        body=body,
        description=product.description,
        html_attrs=f' data-page="product" data-sku="{escape(product.id)}"',
    )


def listing_page(
    shell: Shell,
    page: ProductPage,
    hints: Hints,
    *,
    categories: list[str],
    category: str | None,
    q: str | None,
    cursor: str | None,
) -> str:
    """A page of the listing with category chips, small images and a cursor link to the next page."""
    base = category_url(category) if category else "/"
    heading = category_title(category) if category else ("Results for “" + q + "”" if q else "All products")
    if page.items:
        grid = '<ul class="grid">' + "".join(
            _card(item, hints, eager=i < THUMBS_EAGER and not cursor) for i, item in enumerate(page.items)
        ) + "</ul>"
    else:
        grid = '<p class="empty">Nothing here yet. <a href="/">See all products</a>.</p>'
    pager = []
    if cursor:
        pager.append(f'<a href="{escape(base + ("?" + urlencode({"q": q}) if q else ""))}">« First page</a>')
    if page.next_cursor:
        params = {"cursor": page.next_cursor, **({"q": q} if q else {})}
        pager.append(f'<a rel="next" href="{escape(base + "?" + urlencode(params))}">Next page »</a>')
    body = (
        _category_nav(categories, category)
        + f"<main><h1>{escape(heading)}</h1>{grid}"
        + (f'<nav class="pager" aria-label="Pages">{"".join(pager)}</nav>' if pager else "")
        + "</main>"
    )
    return document(
        shell,
        title=f"{heading} · Lastmile",
        body=body,
        description="Lastmile: an online shop that works on any network.",
        q=q or "",
        html_attrs=' data-page="listing"',
    )


def not_found_page(shell: Shell, product_id: str, categories: list[str]) -> str:
    """A 404 that helps: says what was missing and offers the listing, the categories and search."""
    body = (
        _category_nav(categories, None)
        + "<main><h1>We could not find that product</h1>"
        f"<p>There is no product <b>{escape(product_id[:80])}</b> in the shop (it may have been removed).</p>"
        '<p><a href="/">Browse all products</a> or search above.</p></main>'
    )
    return document(shell, title="Product not found · Lastmile", body=body, html_attrs=' data-page="not-found"')


def bad_request_page(shell: Shell, detail: str) -> str:
    """A 400 for page URLs (a stale pagination link, an unusable search)."""
    body = (
        f"<main><h1>That page link does not work</h1><p>{escape(detail)}</p>"
        '<p><a href="/">Start again from all products</a>.</p></main>'
    )
    return document(shell, title="Bad link · Lastmile", body=body, html_attrs=' data-page="bad-request"')


def offline_page(shell: Shell) -> str:
    """What the service worker shows for a page it has never saved while the network is away."""
    body = (
        '<main class="offline"><h1>You are offline</h1>'
        "<p>This page has not been saved on this device yet, and the network is not answering.</p>"
        "<p>Pages you have already opened still work:</p>"
        '<ul id="lm-saved"><li><a href="/">All products</a></li></ul>'
        '<p><a href="">Try again</a></p></main>'
    )
    return document(shell, title="Offline · Lastmile", body=body, html_attrs=' data-page="offline"')
