"""Review routes: a product's rating and reviews (public, loaded by the product page after first paint) and the
signed-in shopper's one review of a product they received; thin calls into reviews.service."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from accounts.models import CurrentUser
from reviews import service
from reviews.models import MyReview, ReviewInput, ReviewPage, ReviewResult
from server.db import Database
from server.http.api_description import SHOPPER, problems
from server.http.conditional import cacheable

ProductIdPath = Annotated[str, Parameter(max_length=64)]


class ReviewsController(Controller):
    """`/api/products/{id}/reviews` (newest first, keyset cursor) and `/api/products/{id}/review` (your own)."""

    path = "/api/products/{product_id:str}"
    tags = ["reviews"]

    @get("/reviews", sync_to_thread=True, response_model=ReviewPage, summary="A product's reviews",  # type: ignore[call-overload]
         responses=problems(400, 404))
    def list_reviews(
        self, request: Request, product_id: ProductIdPath, database: NamedDependency[Database],
        cursor: Annotated[str | None, Parameter(max_length=512)] = None,
        limit: Annotated[int, Parameter(ge=1, le=50)] = 10,
    ) -> Response[ReviewPage]:
        """The average rating, the count and a page of reviews; `nextCursor` continues. Revalidated on every use
        (ETag → 304), never served stale: a shopper who just wrote a review sees it."""
        return cacheable(request, service.reviews_page(database, product_id, cursor, limit), max_age=0,
                         stale_while_revalidate=0)

    @get("/review", sync_to_thread=True, summary="My review of a product", security=SHOPPER,
         responses=problems(400, 401, 404))
    def my_review(
        self, product_id: ProductIdPath, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database],
    ) -> MyReview:
        """Whether you may review this product (it was delivered to you) and the review you wrote, to rewrite;
        the product page asks before it offers the form."""
        return service.mine(database, current_user.user_id, product_id)

    @put("/review", sync_to_thread=True, status_code=200, summary="Write my review of a product", security=SHOPPER,
         responses=problems(400, 401, 403, 404, 413, 422))
    def write_review(
        self, product_id: ProductIdPath, data: JSONBody[ReviewInput], current_user: NamedDependency[CurrentUser],
        database: NamedDependency[Database],
    ) -> ReviewResult:
        """Write your review of a product delivered to you, or rewrite it (one per product; growth the first time)."""
        return service.write(database, current_user.user_id, product_id, data)
