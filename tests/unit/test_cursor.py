"""Listing cursors are opaque, tamper-evident and tied to their query."""

import pytest

from catalog.cursor import decode_cursor, encode_cursor
from catalog.errors import BadCursor


def test_round_trip():
    assert "SKU-9" == decode_cursor(encode_cursor("SKU-9", "tea", None), "tea", None)


@pytest.mark.parametrize("cursor", ["", "x", "!!!!", "A" * 600, encode_cursor("A", None, None)[:-3]])
def test_garbage_is_refused(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor, None, None)


def test_a_cursor_is_bound_to_its_query():
    cursor = encode_cursor("A", "tea", "drinks")
    with pytest.raises(BadCursor):
        decode_cursor(cursor, "tea", None)
