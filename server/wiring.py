"""Every cross-room hook, installed in one visible place (litestar-fullstack's ``on_app_init`` spirit).

Rooms offer their hooks as plain data: each room's ``MUTATORS`` and retention's discount provider. Nothing
registers itself when a module is imported, and there is no global registry: ``install()`` gathers the hooks
into one ``Hooks`` value that ``create_app`` keeps in ``app.state`` and hands to the rooms that run them (the
sync engine gets the mutator table, checkout gets the discount providers). Adding or dropping a hook is an
edit here, never a side effect of which modules happen to be imported.
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalty import mutators as loyalty_mutators
from loyalty.checkout import DiscountProvider
from retention.checkout_hook import retention_discount
from sync import addresses, cart, consent, prefs, wishlist
from sync.mutators import Mutator, MutatorTable

MUTATORS: tuple[Mutator, ...] = (
    *cart.MUTATORS, *wishlist.MUTATORS, *prefs.MUTATORS, *consent.MUTATORS, *addresses.MUTATORS,
    *loyalty_mutators.MUTATORS,
)
"""Every sync mutation: the rooms that own the data offer theirs (sync: cart, wishlist, prefs, consent,
addresses; loyalty: points)."""

DISCOUNT_PROVIDERS: tuple[DiscountProvider, ...] = (retention_discount,)
"""Codes checkout asks about after the points mall's own coupons: retention's offers."""


@dataclass(frozen=True)
class Hooks:
    """The cross-room hooks one application (or command) runs with."""

    mutators: MutatorTable
    discount_providers: tuple[DiscountProvider, ...]


def install(
    mutators: tuple[Mutator, ...] = MUTATORS, discount_providers: tuple[DiscountProvider, ...] = DISCOUNT_PROVIDERS
) -> Hooks:
    """The hooks to run with: every room's by default (tests pass their own lists); no global state is touched."""
    return Hooks(mutators=MutatorTable(mutators), discount_providers=tuple(discount_providers))
