"""The one place where exceptions become RFC 9457 problem-details responses."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Callable

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from accounts import errors as accounts
from catalog import errors as catalog
from loyalty import errors as loyalty
from media import errors as media
from operators import errors as operators
from retention import errors as retention
from reviews import errors as reviews
from sync import errors as sync

from server import db

log = logging.getLogger("lastmile.errors")

PROBLEM_JSON = "application/problem+json"

# Domain error -> (status, problem type slug). Looked up along the exception's MRO, most specific first.
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    catalog.UnknownProduct: (404, "unknown-product"),
    catalog.BadCursor: (400, "bad-cursor"),
    catalog.BadQuery: (400, "bad-query"),
    catalog.BadSynonyms: (422, "bad-synonyms"),
    catalog.BadImport: (422, "bad-import"),
    media.BadImage: (422, "bad-image"),
    media.UnknownImage: (404, "unknown-image"),
    accounts.BadCredentials: (401, "bad-credentials"),
    accounts.TotpRequired: (401, "totp-required"),
    accounts.NotAuthenticated: (401, "not-authenticated"),
    accounts.EmailTaken: (409, "email-taken"),
    accounts.RevealForbidden: (403, "reveal-forbidden"),
    accounts.RevealReasonRequired: (400, "reveal-reason-required"),
    accounts.ReauthenticationFailed: (403, "reauthentication-failed"),
    accounts.BadAccountInput: (422, "bad-account-input"),
    accounts.RateLimited: (429, "rate-limited"),
    accounts.UnknownDevice: (404, "unknown-device"),
    accounts.TotpStateError: (409, "totp-state"),
    sync.BadSyncRequest: (400, "bad-sync-request"),
    sync.TooLarge: (413, "too-large"),
    sync.UnknownClient: (404, "unknown-client"),
    sync.BadViewRow: (422, "bad-view-row"),
    sync.PermanentError: (422, "mutation-rejected"),
    sync.TemporaryError: (503, "try-again"),
    db.TransientError: (503, "database-busy"),
    loyalty.UnknownOrder: (404, "unknown-order"),
    loyalty.UnknownReward: (404, "unknown-reward"),
    loyalty.BadOrderInput: (422, "bad-order-input"),
    loyalty.EmptyCart: (422, "empty-cart"),
    loyalty.OutOfStock: (409, "out-of-stock"),
    loyalty.UnknownCode: (422, "unknown-code"),
    loyalty.IdempotencyMismatch: (422, "idempotency-key-reused"),
    loyalty.BadIdempotencyKey: (400, "idempotency-key-required"),
    loyalty.BadTransition: (409, "bad-transition"),
    loyalty.UnknownAddress: (422, "unknown-address"),
    loyalty.UnknownDeliveryOption: (422, "unknown-delivery-option"),
    loyalty.UnknownPickupPoint: (422, "unknown-pickup-point"),
    loyalty.UnknownPaymentMethod: (422, "unknown-payment-method"),
    loyalty.PaymentDeclined: (402, "payment-declined"),
    loyalty.UnknownReturn: (404, "unknown-return"),
    loyalty.BadReturnMove: (409, "bad-return-move"),
    loyalty.ReturnRefused: (409, "return-refused"),
    reviews.NotReviewable: (403, "not-reviewable"),
    reviews.BadReview: (422, "bad-review"),
    loyalty.NotEnoughPoints: (409, "not-enough-points"),
    loyalty.RewardUnavailable: (409, "reward-unavailable"),
    loyalty.GrowthCapReached: (409, "growth-cap-reached"),
    loyalty.TierTooLow: (403, "tier-too-low"),
    loyalty.NotEnoughGrowth: (409, "not-enough-growth"),
    loyalty.DuplicateReward: (409, "duplicate-reward"),
    retention.BadSubscription: (422, "bad-subscription"),
    retention.BadTimeZone: (422, "bad-time-zone"),
    retention.ForbiddenEndpoint: (422, "forbidden-push-endpoint"),
    retention.EndpointTaken: (409, "push-endpoint-taken"),
    retention.UnknownSubscription: (404, "unknown-subscription"),
    retention.UnknownMessage: (404, "unknown-message"),
    retention.BadEvent: (422, "bad-event"),
    retention.BadTemplate: (422, "bad-template"),
    retention.PayloadTooLarge: (422, "payload-too-large"),
    retention.BadOffer: (422, "bad-offer"),
    retention.UnknownOffer: (404, "unknown-offer"),
    retention.UnknownTemplate: (404, "unknown-template"),
    retention.BadCampaign: (422, "bad-campaign"),
    retention.UnknownCampaign: (404, "unknown-campaign"),
    retention.CouponRejected: (422, "coupon-rejected"),
    retention.UnknownShopper: (404, "unknown-shopper"),
    operators.BadOperatorInput: (422, "bad-operator-input"),
    operators.OperatorExists: (409, "operator-exists"),
    operators.UnknownOperator: (404, "unknown-operator"),
    operators.SignInFailed: (401, "sign-in-failed"),
    operators.NotSignedIn: (401, "not-authenticated"),
    operators.Forbidden: (403, "forbidden"),
    operators.TooManyAttempts: (429, "rate-limited"),
}

# Base classes registered with Litestar; each maps through DOMAIN_ERRORS.
DOMAIN_BASES: tuple[type[Exception], ...] = (
    catalog.CatalogError, media.MediaError, accounts.AccountsError, sync.SyncError, loyalty.LoyaltyError,
    retention.RetentionError, operators.OperatorsError, reviews.ReviewError, db.TransientError,
)


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 body; ``errors`` carries per-field or per-line detail where there is some."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem(
    status: int,
    slug: str,
    detail: str,
    *,
    request: Request | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem-details response."""
    body = Problem(
        type=f"/problems/{slug}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        errors=errors,
    )
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _slug(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def _wire_name(request: Request, item: dict) -> Any:
    """A parameter as the client sent it: a header by its header name (`Idempotency-Key`), not the handler's."""
    key = item.get("key")
    if item.get("source") != "header" or not isinstance(key, str):
        return key
    try:
        field = request.route_handler.parsed_fn_signature.parameters.get(key)
    except Exception:  # no route matched: nothing to translate
        return key
    declared = getattr(field, "kwarg_definition", None)
    return getattr(declared, "header", None) or getattr(declared, "name", None) or key


PageError = Callable[[Request, int], "Response | None"]
"""An HTML page for a browser's navigation no route could take (404) or whose query a route refused (400), or None
for a problem (server/pages/shop.py's ``page_error``)."""


def http_exception_handler(request: Request, exc: HTTPException, page_error: PageError | None = None) -> Response:
    """Litestar's own errors (validation, unknown route, wrong method, body too large, auth) as problems."""
    status = exc.status_code
    errors = None
    routing_404 = isinstance(exc, NotFoundException) and exc.detail in ("Not Found", "", None)
    if page_error is not None and (routing_404 or isinstance(exc, ValidationException)):
        page = page_error(request, status)
        if page is not None:
            return page
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        errors = [
            {k: _wire_name(request, item) if k == "key" else v for k, v in item.items() if k in ("message", "key", "source")}
            for item in extra
            if isinstance(item, dict)
        ]
        parts = [f"{e.get('key') or e.get('source') or 'body'}: {e.get('message')}" for e in errors]
        detail = "; ".join(parts) or str(exc.detail)
        return problem(status, "invalid-input", detail, request=request, errors=errors or None)
    if routing_404:
        detail = f"nothing at {request.method} {request.url.path}"
    else:
        detail = str(exc.detail)
    headers = {k: v for k, v in (exc.headers or {}).items()}
    slug = getattr(exc, "problem_slug", None) or _slug(status)  # server/http/body.py's BadBody names its own
    return problem(status, slug, detail, request=request, headers=headers)


def domain_exception_handler(request: Request, exc: Exception) -> Response:
    """Domain errors through the DOMAIN_ERRORS table."""
    for klass in type(exc).__mro__:
        if klass in DOMAIN_ERRORS:
            status, slug = DOMAIN_ERRORS[klass]
            errors = None
            problems = getattr(exc, "problems", None)
            if problems:
                errors = [{"line": line, "message": message} for line, message in problems]
            # A domain error may carry response headers (Retry-After, WWW-Authenticate).
            return problem(status, slug, str(exc), request=request, errors=errors, headers=getattr(exc, "headers", None))
    return internal_error_handler(request, exc)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback (never the request body), answered without internals."""
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc)
    return problem(500, "internal-error", "the server failed to handle this request; it has been logged", request=request)


def exception_handlers(page_error: PageError | None = None) -> dict:
    """The mapping handed to Litestar; ``page_error`` answers a browser's navigation no route could take."""

    def http_errors(request: Request, exc: HTTPException) -> Response:
        return http_exception_handler(request, exc, page_error)

    handlers: dict = {HTTPException: http_errors, Exception: internal_error_handler}
    for base in DOMAIN_BASES:
        handlers[base] = domain_exception_handler
    return handlers


__all__ = ["problem", "exception_handlers", "DOMAIN_ERRORS"]
