"""Client-rendered shell pages: `/cart`, `/signin` (pwa/sync-client.js), `/points`, `/mall`, `/orders`
(pwa/loyalty.js), `/returns` (pwa/returns.js) and `/checkout`, `/orders/{id}` (pwa/checkout.js), filled from the
synced view in IndexedDB.

They hold nothing personal (the cart lives in the browser), so every shopper with the same language gets the
same bytes.
"""

from __future__ import annotations

from html import escape

from litestar import Request, Response, get

from server.http.conditional import conditional
from server.http.params import Id
from server.i18n import t
from server.pages import html as page_html
from server.pages.assets import bundle_for
from server.pages.locale import LOCALE_VARY, locale_headers, page_locale



def _shell_page(request: Request, *, page: str, title: str, mount: str, heading: str, text: str) -> Response:
    """A page frame with an empty mount the client renders into, in the reader's locale; revalidated, 304 when
    unchanged. ``title``, ``heading`` and ``text`` are shop.json keys."""
    locale = page_locale(request)
    needs_js = f"<noscript><p>{escape(t(locale, 'shop.needs_js'))}</p></noscript>"
    body = (f'<main id="{mount}"><h1>{escape(t(locale, heading))}</h1>'
            f'<p class="lm-muted">{escape(t(locale, text))}</p>{needs_js}</main>')
    html = page_html.document(
        bundle_for().shell, title=t(locale, title) + " · Lastmile", body=body, html_attrs=f' data-page="{page}"',
        locale=locale,
    ).encode()
    headers = {"Cache-Control": "no-cache", "Vary": LOCALE_VARY, **locale_headers(locale)}
    return conditional(request, html, "text/html", headers)


@get("/cart", sync_to_thread=True, include_in_schema=False)
def cart_page(request: Request) -> Response:
    """The cart and wishlist, drawn from the local view (works offline once the service worker has it)."""
    return _shell_page(request, page="cart", title="shop.cart.title", mount="lm-cart", heading="shop.cart.title",
                       text="shop.cart.loading")


@get("/signin", sync_to_thread=True, include_in_schema=False)
def signin_page(request: Request) -> Response:
    """Sign in or create an account; the token is kept in IndexedDB by the client."""
    return _shell_page(request, page="signin", title="shop.signin.title", mount="lm-signin",
                       heading="shop.signin.title", text="shop.loading")


# Loyalty pages: pwa/loyalty.js renders them from the synced view keys `points`, `orders/*`, `coupons/*`.
@get("/points", sync_to_thread=True, include_in_schema=False)
def points_page(request: Request) -> Response:
    """Points balance, tier and lots expiring soon."""
    return _shell_page(request, page="points", title="shop.points.title", mount="lm-loyalty",
                       heading="shop.points.title", text="shop.points.loading")


@get("/mall", sync_to_thread=True, include_in_schema=False)
def mall_page(request: Request) -> Response:
    """The points mall (redeeming is the sync mutation points.redeem, queued offline)."""
    return _shell_page(request, page="mall", title="shop.mall.title", mount="lm-loyalty", heading="shop.mall.title",
                       text="shop.mall.loading")


@get("/orders", sync_to_thread=True, include_in_schema=False)
def orders_page(request: Request) -> Response:
    """The shopper's orders, from the synced `orders/*` view keys."""
    return _shell_page(request, page="orders", title="shop.orders.title", mount="lm-loyalty",
                       heading="shop.orders.title", text="shop.orders.loading")


@get("/returns", sync_to_thread=True, include_in_schema=False)
def returns_page(request: Request) -> Response:
    """Returns (pwa/returns.js): delivered orders' lines to return, asked for with the sync mutation
    returns.request (queued offline), and each return's status from the synced `returns/*` view keys."""
    return _shell_page(request, page="returns", title="returns.title", mount="lm-returns", heading="returns.title",
                       text="returns.loading")


# Checkout and one order: pwa/checkout.js renders them (the order's timeline from the synced `orders/{id}` row).
@get("/checkout", sync_to_thread=True, include_in_schema=False)
def checkout_page(request: Request) -> Response:
    """Address, delivery, payment, then the review step and Place order (online only; the cart stays editable)."""
    return _shell_page(request, page="checkout", title="checkout.title", mount="lm-checkout",
                       heading="checkout.title", text="checkout.loading")


@get("/orders/{order_id:int}", sync_to_thread=True, include_in_schema=False)
def order_page(request: Request, order_id: Id) -> Response:
    """One order with its status timeline (the same shell for every order: the id is read from the address)."""
    return _shell_page(request, page="order", title="checkout.order.title", mount="lm-order",
                       heading="checkout.order.title", text="checkout.order.loading")


CLIENT_PAGE_ROUTES = [cart_page, signin_page, points_page, mall_page, orders_page, returns_page, checkout_page,
                      order_page]
