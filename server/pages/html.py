"""Server-rendered HTML of the shop pages: product, listing, not-found, offline. Every value is escaped.

Every page is rendered in one locale (``en`` or ``zh-CN``, chosen by server.pages.locale): ``<html lang>``,
every text (server/i18n/messages/shop.json) and every price (catalog.money) follow it.

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
from server.i18n import SUPPORTED
from server.pages.format import (
    availability_label,
    availability_text,
    category_title,
    text,
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
<html lang="$lang"$html_attrs><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>$title</title>
<meta name="description" content="$description">
<meta name="theme-color" content="$theme_color">
<link rel="icon" href="$favicon">
<link rel="manifest" href="$manifest_url">
<style>$css</style>
</head><body>$banner
<header class="bar"><a class="brand" href="/">Lastmile</a>
<form class="lm-search" action="/" method="get" role="search"><input id="lm-q" name="q" type="search" value="$q" placeholder="$search_placeholder" aria-label="$search_label" maxlength="200"></form>
<nav class="lm-nav" aria-label="$account_label"><a id="lm-cart-link" href="/cart">$cart <span id="lm-cart-count"></span></a>
<details class="lm-menu"><summary>$menu<span class="lm-badge" id="lm-menu-badge" hidden></span></summary><div class="lm-panel"><div id="lm-account"><a href="/signin" id="lm-signin-link">$signin</a></div>
$menu_links</div></details></nav></header>
<div class="wrap">$body</div>
<footer>Lastmile · $vat$all_products · <nav class="lm-lang" aria-label="$language_label">$languages</nav></footer>
<script type="module" src="$app_js_url"></script>
</body></html>
"""
)


def _language_links(locale: str) -> str:
    """Links that switch the shop's language (``/lang`` sets the cookie; the PWA also syncs ``prefs/locale``)."""
    links = []
    for option in SUPPORTED:
        name = escape(text(option, "language_name"))
        if option == locale:
            links.append(f'<span aria-current="true" lang="{option}">{name}</span>')
        else:
            links.append(f'<a href="/lang/{option}" hreflang="{option}" lang="{option}" data-locale="{option}">{name}</a>')
    return " ".join(links)


# The header menu's fixed links (shop.json keys), after what the sync client draws into #lm-account.
MENU_LINKS = (("/points", "lm-points-link", "header.points"), ("/mall", "lm-mall-link", "mall.title"),
              ("/orders", "lm-orders-link", "header.orders"), ("/privacy", "lm-privacy-link", "header.privacy"))


def _menu_links(locale: str) -> str:
    return "".join(f'<a href="{href}" id="{id_}">{escape(text(locale, key))}</a>' for href, id_, key in MENU_LINKS)


def document(
    shell: Shell, *, title: str, body: str, description: str = "", q: str = "", html_attrs: str = "", locale: str = "en",
    all_products_link: bool = True,
) -> str:
    """The page frame around ``body`` (already-escaped HTML), in ``locale``; the offline page leaves out the
    footer's "All products" link (app.js offers it there only when this device has saved that page)."""
    return _DOCUMENT.substitute(
        lang=escape(locale),
        search_placeholder=escape(text(locale, "search.placeholder")),
        search_label=escape(text(locale, "search.label")),
        account_label=escape(text(locale, "nav.account")),
        cart=escape(text(locale, "header.cart")),
        menu=escape(text(locale, "header.menu")),
        signin=escape(text(locale, "header.signin")),
        menu_links=_menu_links(locale),
        vat=escape(text(locale, "footer.vat")),
        all_products=f' · <a href="/">{escape(text(locale, "nav.all_products"))}</a>' if all_products_link else "",
        language_label=escape(text(locale, "nav.language")),
        languages=_language_links(locale),
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


def _category_nav(categories: list[str], current: str | None, locale: str) -> str:
    items = ['<li><a href="/"' + ("" if current else ' aria-current="page"') + f">{escape(text(locale, 'nav.all'))}</a></li>"]
    for name in categories:
        mark = ' aria-current="page"' if name == current else ""
        items.append(f'<li><a href="{escape(category_url(name))}"{mark}>{escape(category_title(name, locale))}</a></li>')
    return '<ul class="cats">' + "".join(items) + "</ul>"


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + escape(p).replace("\n", "<br>") + "</p>" for p in parts)


def _card(item: ProductSummary, hints: Hints, *, eager: bool, locale: str) -> str:
    image = item.image
    thumb = thumb_img(image, hints, eager=eager) if image is not None else ""
    style = placeholder_style(image, image.width, image.height) if image is not None else "aspect-ratio:4/3"
    return (
        f'<li><a href="{escape(product_url(item.id))}"><span class="thumb" style="{escape(style)}">{thumb}</span>'
        f'<span class="card"><b>{escape(item.name)}</b><span>{escape(format_price(item.price, item.currency, locale))}'
        f" · {escape(availability_label(item.availability, locale))}"
        "</span></span></a></li>"
    )


def product_page(
    shell: Shell, product: Product, hints: Hints, data_dir: Path, related: list[ProductSummary], locale: str = "en"
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
    price = format_price(product.price, product.currency, locale)
    category = category_title(product.category, locale)
    related_items = [r for r in related if r.id != product.id][:4]
    more = ""
    if related_items:
        more = (
            f"<section><h2>{escape(text(locale, 'product.more_in', category=category))}</h2>"
            '<ul class="grid">' + "".join(_card(r, hints, eager=False, locale=locale) for r in related_items)
            + "</ul></section>"
        )
    body = (
        f'<nav class="crumbs" aria-label="{escape(text(locale, "nav.breadcrumb"))}">'
        f'<a href="/">{escape(text(locale, "nav.all_products"))}</a> › '
        f'<a href="{escape(category_url(product.category))}">{escape(category)}</a></nav>'
        f'<main class="product" data-product-id="{escape(product.id)}" data-version="{product.version}">'
        f"{hero}<div class=\"info\"><h1>{escape(product.name)}</h1>"
        f'<p class="price" data-minor="{product.price}" data-currency="{escape(product.currency)}">{escape(price)}</p>'
        f'<p class="stock {escape(product.availability)}" data-stock="{product.stock}">'
        f"{escape(availability_text(product.availability, product.stock, locale))}</p>"
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
        locale=locale,
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
    locale: str = "en",
) -> str:
    """A page of the listing with category chips, small images and a cursor link to the next page."""
    base = category_url(category) if category else "/"
    if category:
        heading = category_title(category, locale)
    else:
        heading = text(locale, "listing.results", q=q) if q else text(locale, "nav.all_products")
    if page.items:
        grid = '<ul class="grid">' + "".join(
            _card(item, hints, eager=i < THUMBS_EAGER and not cursor, locale=locale) for i, item in enumerate(page.items)
        ) + "</ul>"
    else:
        grid = (f'<p class="empty">{escape(text(locale, "listing.empty"))} '
                f'<a href="/">{escape(text(locale, "listing.see_all"))}</a>.</p>')
    pager = []
    if cursor:
        first = escape(text(locale, "pager.first"))
        pager.append(f'<a href="{escape(base + ("?" + urlencode({"q": q}) if q else ""))}">{first}</a>')
    if page.next_cursor:
        params = {"cursor": page.next_cursor, **({"q": q} if q else {})}
        pager.append(f'<a rel="next" href="{escape(base + "?" + urlencode(params))}">{escape(text(locale, "pager.next"))}</a>')
    body = (
        _category_nav(categories, category, locale)
        + f"<main><h1>{escape(heading)}</h1>{grid}"
        + (f'<nav class="pager" aria-label="{escape(text(locale, "nav.pages"))}">{"".join(pager)}</nav>' if pager else "")
        + "</main>"
    )
    return document(
        shell,
        title=f"{heading} · Lastmile",
        body=body,
        description=text(locale, "listing.description"),
        q=q or "",
        html_attrs=' data-page="listing"',
        locale=locale,
    )


def _way_back_page(shell: Shell, locale: str, *, page: str, keys: str, message: str, back: str, before: str = "") -> str:
    """A page that says what went wrong (``message``, escaped HTML) under the ``{keys}.heading`` text and links back
    to the listing; its title is ``{keys}.title``."""
    body = f"{before}<main><h1>{escape(text(locale, keys + '.heading'))}</h1><p>{message}</p><p>{back}</p></main>"
    title = text(locale, keys + ".title") + " · Lastmile"
    return document(shell, title=title, body=body, html_attrs=f' data-page="{page}"', locale=locale)


def _browse_or_search(locale: str) -> str:
    return f'<a href="/">{escape(text(locale, "notfound.browse"))}</a> {escape(text(locale, "notfound.or_search"))}'


def not_found_page(shell: Shell, product_id: str, categories: list[str], locale: str = "en") -> str:
    """A 404 that helps: says what was missing and offers the listing, the categories and search."""
    # The text is escaped first, then the (escaped) product code goes in bold where the text names it.
    missing = escape(text(locale, "notfound.text", id="\x00")).replace("\x00", f"<b>{escape(product_id[:80])}</b>")
    return _way_back_page(shell, locale, page="not-found", keys="notfound", message=missing,
                          back=_browse_or_search(locale), before=_category_nav(categories, None, locale))


def missing_page(shell: Shell, locale: str = "en") -> str:
    """The 404 for a shop address no route knows (an old or mistyped link): the way back to the listing."""
    return _way_back_page(shell, locale, page="missing", keys="missing", message=escape(text(locale, "missing.text")),
                          back=_browse_or_search(locale))


def bad_request_page(shell: Shell, detail: str, locale: str = "en") -> str:
    """A 400 for page URLs (a stale pagination link, an unusable search)."""
    return _way_back_page(shell, locale, page="bad-request", keys="badlink", message=escape(detail),
                          back=f'<a href="/">{escape(text(locale, "badlink.again"))}</a>')


def offline_page(shell: Shell, locale: str = "en") -> str:
    """What the service worker shows for a page it has never saved while the network is away."""
    body = (
        f'<main class="offline"><h1>{escape(text(locale, "offline.heading"))}</h1>'
        f"<p>{escape(text(locale, 'offline.text'))}</p>"
        # Filled by app.js from the pages this device has saved (by name), so it never offers a page that
        # would only bring this page back.
        f'<div id="lm-saved-box" hidden><p>{escape(text(locale, "offline.saved"))}</p><ul id="lm-saved"></ul></div>'
        f'<p><a href="">{escape(text(locale, "offline.retry"))}</a></p></main>'
    )
    title = text(locale, "offline.title") + " · Lastmile"
    return document(
        shell, title=title, body=body, html_attrs=' data-page="offline"', locale=locale, all_products_link=False
    )
