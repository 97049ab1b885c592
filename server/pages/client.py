"""Client-rendered shell pages: `/cart`, `/signin` (pwa/sync-client.js) and `/points`, `/mall`, `/orders`
(pwa/loyalty.js), filled from the synced view in IndexedDB.

They hold nothing personal (the cart lives in the browser), so every shopper gets the same bytes.
"""

from __future__ import annotations

from litestar import Request, Response, get

from server.http.conditional import conditional
from server.pages import html as page_html
from server.pages.assets import bundle_for

NEEDS_JS = "<noscript><p>This page needs JavaScript: your cart and account live on this device.</p></noscript>"


def _shell_page(request: Request, *, page: str, title: str, mount: str, heading: str, text: str) -> Response:
    """A page frame with an empty mount the client renders into; revalidated, 304 when unchanged."""
    body = f'<main id="{mount}"><h1>{heading}</h1><p class="lm-muted">{text}</p>{NEEDS_JS}</main>'
    html = page_html.document(bundle_for().shell, title=title, body=body, html_attrs=f' data-page="{page}"').encode()
    return conditional(request, html, "text/html", {"Cache-Control": "no-cache"})


@get("/cart", sync_to_thread=True, include_in_schema=False)
def cart_page(request: Request) -> Response:
    """The cart and wishlist, drawn from the local view (works offline once the service worker has it)."""
    return _shell_page(request, page="cart", title="Your cart · Lastmile", mount="lm-cart", heading="Your cart", text="Loading your cart…")


@get("/signin", sync_to_thread=True, include_in_schema=False)
def signin_page(request: Request) -> Response:
    """Sign in or create an account; the token is kept in IndexedDB by the client."""
    return _shell_page(request, page="signin", title="Sign in · Lastmile", mount="lm-signin", heading="Sign in", text="Loading…")


# Loyalty pages: pwa/loyalty.js renders them from the synced view keys `points`, `orders/*`, `coupons/*`.
@get("/points", sync_to_thread=True, include_in_schema=False)
def points_page(request: Request) -> Response:
    """Points balance, tier and lots expiring soon."""
    return _shell_page(request, page="points", title="Your points · Lastmile", mount="lm-loyalty", heading="Your points", text="Loading your points…")


@get("/mall", sync_to_thread=True, include_in_schema=False)
def mall_page(request: Request) -> Response:
    """The points mall (redeeming is the sync mutation points.redeem, queued offline)."""
    return _shell_page(request, page="mall", title="Points mall · Lastmile", mount="lm-loyalty", heading="Points mall", text="Loading the mall…")


@get("/orders", sync_to_thread=True, include_in_schema=False)
def orders_page(request: Request) -> Response:
    """The shopper's orders, from the synced `orders/*` view keys."""
    return _shell_page(request, page="orders", title="Your orders · Lastmile", mount="lm-loyalty", heading="Your orders", text="Loading your orders…")


CLIENT_PAGE_ROUTES = [cart_page, signin_page, points_page, mall_page, orders_page]
