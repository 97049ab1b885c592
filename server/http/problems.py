"""The one place where exceptions become RFC 9457 problem-details responses."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException

from accounts.errors import (
    AccountsError,
    BadAccountInput,
    BadCredentials,
    EmailTaken,
    NotAuthenticated,
    RateLimited,
    ReauthenticationFailed,
    RevealForbidden,
    RevealReasonRequired,
    TotpRequired,
    TotpStateError,
    UnknownDevice,
)
from catalog.errors import BadCursor, BadImport, BadQuery, BadSynonyms, CatalogError, UnknownProduct
from loyalty.errors import (
    BadIdempotencyKey,
    BadOrderInput,
    BadReturnMove,
    BadTransition,
    DuplicateReward,
    EmptyCart,
    GrowthCapReached,
    IdempotencyMismatch,
    LoyaltyError,
    NotEnoughGrowth,
    NotEnoughPoints,
    OutOfStock,
    NotEnoughGrowth,
    PaymentDeclined,
    ReturnRefused,
    RewardUnavailable,
    TierTooLow,
    UnknownAddress,
    UnknownCode,
    UnknownDeliveryOption,
    UnknownPickupPoint,
    UnknownOrder,
    UnknownPaymentMethod,
    UnknownReturn,
    UnknownReward,
)
from media.errors import BadImage, MediaError, UnknownImage
from operators.errors import (
    BadOperatorInput,
    Forbidden,
    NotSignedIn,
    OperatorExists,
    OperatorsError,
    SignInFailed,
    TooManyAttempts,
    UnknownOperator,
)
from retention.errors import (
    BadCampaign,
    BadEvent,
    BadOffer,
    BadSubscription,
    BadTemplate,
    BadTimeZone,
    CouponRejected,
    EndpointTaken,
    ForbiddenEndpoint,
    PayloadTooLarge,
    RetentionError,
    UnknownCampaign,
    UnknownMessage,
    UnknownOffer,
    UnknownShopper,
    UnknownSubscription,
    UnknownTemplate,
)
from reviews.errors import BadReview, NotReviewable, ReviewError
from sync.errors import (
    BadSyncRequest,
    BadViewRow,
    PermanentError,
    SyncError,
    TemporaryError,
    TooLarge,
    UnknownClient,
)

from server.db import TransientError  # noqa: E402

log = logging.getLogger("lastmile.errors")

PROBLEM_JSON = "application/problem+json"

# Domain error -> (status, problem type slug). Looked up along the exception's MRO, most specific first.
DOMAIN_ERRORS: dict[type[Exception], tuple[int, str]] = {
    UnknownProduct: (404, "unknown-product"),
    BadCursor: (400, "bad-cursor"),
    BadQuery: (400, "bad-query"),
    BadSynonyms: (422, "bad-synonyms"),
    BadImport: (422, "bad-import"),
    BadImage: (422, "bad-image"),
    UnknownImage: (404, "unknown-image"),
    BadCredentials: (401, "bad-credentials"),
    TotpRequired: (401, "totp-required"),
    NotAuthenticated: (401, "not-authenticated"),
    EmailTaken: (409, "email-taken"),
    RevealForbidden: (403, "reveal-forbidden"),
    RevealReasonRequired: (400, "reveal-reason-required"),
    ReauthenticationFailed: (403, "reauthentication-failed"),
    BadAccountInput: (422, "bad-account-input"),
    RateLimited: (429, "rate-limited"),
    UnknownDevice: (404, "unknown-device"),
    TotpStateError: (409, "totp-state"),
    BadSyncRequest: (400, "bad-sync-request"),
    TooLarge: (413, "too-large"),
    UnknownClient: (404, "unknown-client"),
    BadViewRow: (422, "bad-view-row"),
    PermanentError: (422, "mutation-rejected"),
    TemporaryError: (503, "try-again"),
    TransientError: (503, "database-busy"),
    UnknownOrder: (404, "unknown-order"),
    UnknownReward: (404, "unknown-reward"),
    BadOrderInput: (422, "bad-order-input"),
    EmptyCart: (422, "empty-cart"),
    OutOfStock: (409, "out-of-stock"),
    UnknownCode: (422, "unknown-code"),
    IdempotencyMismatch: (422, "idempotency-key-reused"),
    BadIdempotencyKey: (400, "idempotency-key-required"),
    BadTransition: (409, "bad-transition"),
    UnknownAddress: (422, "unknown-address"),
    UnknownDeliveryOption: (422, "unknown-delivery-option"),
    UnknownPickupPoint: (422, "unknown-pickup-point"),
    UnknownPaymentMethod: (422, "unknown-payment-method"),
    PaymentDeclined: (402, "payment-declined"),
    UnknownReturn: (404, "unknown-return"),
    BadReturnMove: (409, "bad-return-move"),
    ReturnRefused: (409, "return-refused"),
    NotReviewable: (403, "not-reviewable"),
    BadReview: (422, "bad-review"),
    NotEnoughPoints: (409, "not-enough-points"),
    RewardUnavailable: (409, "reward-unavailable"),
    GrowthCapReached: (409, "growth-cap-reached"),
    TierTooLow: (403, "tier-too-low"),
    NotEnoughGrowth: (409, "not-enough-growth"),
    DuplicateReward: (409, "duplicate-reward"),
    BadSubscription: (422, "bad-subscription"),
    BadTimeZone: (422, "bad-time-zone"),
    ForbiddenEndpoint: (422, "forbidden-push-endpoint"),
    EndpointTaken: (409, "push-endpoint-taken"),
    UnknownSubscription: (404, "unknown-subscription"),
    UnknownMessage: (404, "unknown-message"),
    BadEvent: (422, "bad-event"),
    BadTemplate: (422, "bad-template"),
    PayloadTooLarge: (422, "payload-too-large"),
    BadOffer: (422, "bad-offer"),
    UnknownOffer: (404, "unknown-offer"),
    UnknownTemplate: (404, "unknown-template"),
    BadCampaign: (422, "bad-campaign"),
    UnknownCampaign: (404, "unknown-campaign"),
    CouponRejected: (422, "coupon-rejected"),
    UnknownShopper: (404, "unknown-shopper"),
    BadOperatorInput: (422, "bad-operator-input"),
    OperatorExists: (409, "operator-exists"),
    UnknownOperator: (404, "unknown-operator"),
    SignInFailed: (401, "sign-in-failed"),
    NotSignedIn: (401, "not-authenticated"),
    Forbidden: (403, "forbidden"),
    TooManyAttempts: (429, "rate-limited"),
}

# Base classes registered with Litestar; each maps through DOMAIN_ERRORS.
DOMAIN_BASES: tuple[type[Exception], ...] = (
    CatalogError, MediaError, AccountsError, SyncError, LoyaltyError, RetentionError, OperatorsError, ReviewError,
    TransientError,
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


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """Litestar's own errors (validation, unknown route, wrong method, body too large, auth) as problems."""
    status = exc.status_code
    errors = None
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
    if isinstance(exc, NotFoundException) and exc.detail in ("Not Found", "", None):
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


def exception_handlers() -> dict:
    """The mapping handed to Litestar."""
    handlers: dict = {HTTPException: http_exception_handler, Exception: internal_error_handler}
    for base in DOMAIN_BASES:
        handlers[base] = domain_exception_handler
    return handlers


__all__ = ["problem", "exception_handlers", "DOMAIN_ERRORS"]
