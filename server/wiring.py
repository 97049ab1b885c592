"""Every cross-room hook, installed in one visible place (litestar-fullstack's ``on_app_init`` spirit).

Rooms offer their hooks as plain data: each room's ``MUTATORS`` and retention's discount provider; the texts a
room sends shoppers come from here too (order notifications, holiday names). Nothing
registers itself when a module is imported, and there is no global registry: ``install()`` gathers the hooks
into one ``Hooks`` value that ``create_app`` keeps in ``app.state`` and hands to the rooms that run them (the
sync engine gets the mutator table, checkout gets the discount providers). Adding or dropping a hook is an
edit here, never a side effect of which modules happen to be imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from loyalty import mutators as loyalty_mutators
from loyalty.checkout import DiscountProvider
from loyalty.orders import OrderListener
from loyalty.payment import PAYMENT_PROVIDERS, PaymentProvider
from recs import recent
from retention.checkout_hook import retention_discount
from retention.config import RetentionConfig
from retention.order_updates import OrderNotifier
from server import i18n
from sync import addresses, cart, consent, prefs, wishlist
from sync.mutators import Mutator, MutatorTable

MUTATORS: tuple[Mutator, ...] = (
    *cart.MUTATORS, *wishlist.MUTATORS, *prefs.MUTATORS, *consent.MUTATORS, *addresses.MUTATORS,
    *loyalty_mutators.MUTATORS, *recent.MUTATORS,
)
"""Every sync mutation: the rooms that own the data offer theirs (sync: cart, wishlist, prefs, consent,
addresses; loyalty: points; recs: recently viewed)."""

DISCOUNT_PROVIDERS: tuple[DiscountProvider, ...] = (retention_discount,)
"""Codes checkout asks about after the points mall's own coupons: retention's offers."""


def _order_texts(locale: str, step: str) -> tuple[str, str]:
    """An order notification's title and body in ``locale`` (server/i18n/messages/checkout.json)."""
    return i18n.t(locale, f"checkout.push.{step}.title"), i18n.t(locale, f"checkout.push.{step}.body")


def holiday_names(locale: str, key: str) -> str | None:
    """A holiday the shop knows, named in ``locale`` (server/i18n/messages/holidays.json, which the console reads
    too); None for another holiday or an unsupported locale. The retention run fills ``{holiday}`` with it
    (``RetentionConfig.holiday_names``, set by server/push_runtime.py)."""
    chosen = i18n.normalise(locale)
    return i18n.catalog(chosen).get(f"holidays.{key}") if chosen else None


def default_order_listeners(retention: Callable[[], RetentionConfig] | None = None) -> tuple[OrderListener, ...]:
    """Who hears of order status changes: retention, which notifies the shopper's devices (with these knobs)."""
    return (OrderNotifier(retention or RetentionConfig, _order_texts, i18n.SUPPORTED),)


@dataclass(frozen=True)
class Hooks:
    """The cross-room hooks one application (or command) runs with."""

    mutators: MutatorTable
    discount_providers: tuple[DiscountProvider, ...]
    payment_providers: tuple[PaymentProvider, ...] = ()
    order_listeners: tuple[OrderListener, ...] = ()


def install(
    mutators: tuple[Mutator, ...] = MUTATORS, discount_providers: tuple[DiscountProvider, ...] = DISCOUNT_PROVIDERS,
    payment_providers: tuple[PaymentProvider, ...] = PAYMENT_PROVIDERS,
    order_listeners: tuple[OrderListener, ...] | None = None, retention: Callable[[], RetentionConfig] | None = None,
) -> Hooks:
    """The hooks to run with: every room's by default (tests pass their own lists); no global state is touched.

    ``retention`` gives the push knobs (caps, quiet hours, receipt key) the order notifications follow, asked
    when one is queued: the app passes the settings' own, commands and tests without it get the defaults."""
    listeners = default_order_listeners(retention) if order_listeners is None else order_listeners
    return Hooks(mutators=MutatorTable(mutators), discount_providers=tuple(discount_providers),
                 payment_providers=tuple(payment_providers), order_listeners=tuple(listeners))
