"""Reviews as the HTTP layer calls them: writing one (one transaction, growth the first time), reading a page."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import clock
from catalog import cursor as catalog_cursor
from catalog import service as catalog_service
from loyalty import growth, store as loyalty_store
from loyalty.errors import GrowthCapReached
from sync import store as sync_store
from sync.poke import notify

from . import store
from .errors import BadReview, NotReviewable
from .models import MyReview, Review, ReviewInput, ReviewPage, ReviewResult

# No control characters but newline and tab; a display name is one line and never looks like an email.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CURSOR_SCOPE = "reviews"  # cursors are the catalog's (tamper-evident keyset positions), bound to this listing


def _checked(data: ReviewInput) -> tuple[str, str | None]:
    text = data.text.strip()
    name = data.display_name.strip() if data.display_name else None
    if not text or _CONTROL.search(text):
        raise BadReview("the review text must not be empty or hold control characters")
    if name is not None and (not name or "@" in name or _CONTROL.search(name) or "\n" in name or "\t" in name):
        raise BadReview("a display name is one line of text, not an email address")
    return text, name


def to_review(row: dict) -> Review:
    """A review row as everyone may read it."""
    return Review(id=row["id"], rating=row["rating"], text=row["body"], display_name=row["display_name"],
                  created_at=row["created_at"], updated_at=row["updated_at"])


def mine(database: Any, user_id: int, sku: str) -> MyReview:
    """Whether the shopper may review a product (UnknownProduct for none) and the review they wrote of it."""
    with database.snapshot() as db:
        catalog_service.require_product(db, sku)
        row = store.review_of(db, user_id, sku)
        return MyReview(reviewable=loyalty_store.delivered_sku(db, user_id, sku),
                        review=to_review(row) if row else None)


def write(database: Any, user_id: int, sku: str, data: ReviewInput, now: datetime | None = None) -> ReviewResult:
    """Write (or rewrite) the shopper's one review of a product they received; growth only the first time."""
    text, name = _checked(data)
    moment = now or clock.now()
    row = {"sku": sku, "user_id": user_id, "rating": data.rating, "body": text, "display_name": name,
           "now": clock.iso(moment)}
    added = 0
    with database.write() as db:
        sync_store.lock_shopper(db, user_id)  # growth caps are counted, then the event and tier written
        catalog_service.require_product(db, sku)
        if not loyalty_store.delivered_sku(db, user_id, sku):
            raise NotReviewable(f"only products delivered to you can be reviewed ({sku} is not one yet)")
        review_id = store.insert_review(db, row)
        created = review_id is not None
        if created:
            try:
                added = growth.review(db, user_id, sku, moment).growth_added
            except GrowthCapReached:
                added = 0  # the review counts; its growth does not (a few a month)
        else:
            review_id = store.update_review(db, row)
        saved = store.get_review(db, review_id)
    assert saved is not None
    if added:
        notify(user_id)  # growth, tier and badges moved
    return ReviewResult(review=to_review(saved), created=created, growth_added=added)


def reviews_page(database: Any, sku: str, cursor: str | None, limit: int) -> ReviewPage:
    """A product's rating and a page of its reviews, newest first (BadCursor for a cursor we did not make)."""
    before = int(catalog_cursor.decode_cursor(cursor, _CURSOR_SCOPE, sku)) if cursor else None
    with database.snapshot() as db:
        catalog_service.require_product(db, sku)
        rows = store.page(db, sku, before, limit + 1)
        count, total = store.rating_totals(db, sku)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = catalog_cursor.encode_cursor(str(rows[-1]["id"]), _CURSOR_SCOPE, sku) if more else None
    return ReviewPage(sku=sku, count=count, average=round(total / count, 1) if count else None,
                      items=[to_review(r) for r in rows], next_cursor=next_cursor)


def export_data(db: Any, user_id: int) -> list[dict]:
    """The shopper's reviews, for their data export."""
    return [{k: v for k, v in r.items() if k != "user_id"} for r in store.user_reviews(db, user_id)]


def erase(db: Any, user_id: int) -> int:
    """Delete the shopper's reviews (account deletion, in its transaction); how many."""
    return store.delete_user_reviews(db, user_id)
