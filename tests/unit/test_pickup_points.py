"""Pickup points: every currency the shop delivers in has some, each named and placed in every language."""

import re

import pytest

from loyalty import delivery, pickup_points
from loyalty.errors import BadOrderInput, UnknownPickupPoint
from server import i18n


def test_every_delivered_currency_has_pickup_points_with_well_formed_unique_ids():
    assert set(delivery.RATES) == set(pickup_points.POINTS)
    ids = [p for points in pickup_points.POINTS.values() for p in points]
    assert len(ids) == len(set(ids))
    assert [] == [p for p in ids if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", p)]


@pytest.mark.parametrize("locale", i18n.SUPPORTED)
def test_every_pickup_point_has_a_name_and_a_place_in_every_language(locale):
    texts = i18n.catalog(locale)
    missing = [f"pickup.{p}.{part}" for points in pickup_points.POINTS.values() for p in points
               for part in ("name", "where") if not texts.get(f"pickup.{p}.{part}")]
    assert [] == missing


@pytest.mark.parametrize("option, point, expected", [
    ("pickup", "cny-lujiazui", "cny-lujiazui"),
    ("standard", None, None),
    ("pickup", None, BadOrderInput),
    ("express", "cny-lujiazui", BadOrderInput),
    ("pickup", "eur-university", UnknownPickupPoint),  # another shop's point
])
def test_a_pickup_point_goes_with_the_pickup_option_and_the_carts_shop(option, point, expected):
    if isinstance(expected, type):
        with pytest.raises(expected):
            pickup_points.choose(option, point, "CNY")
    else:
        assert expected == pickup_points.choose(option, point, "CNY")
