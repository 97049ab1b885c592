"""The API description's shared parts, declared once: security schemes, problem responses, raw request bodies.

Routes refer to these (``security=SHOPPER``, ``responses=problems(401, 404)``, ``operation_class=raw_body(...)``);
tests/api/test_api_description.py checks every operation against its handler's real guards and body, and
tests/api/test_schemathesis.py checks the answers against what is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from typing import Any, Sequence

import msgspec
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import Components, Operation, RequestBody, SecurityScheme
from litestar.openapi.spec.media_type import OpenAPIMediaType

from server.http.problems import PROBLEM_JSON, Problem

JSON = "application/json"
MSGPACK = "application/msgpack"
JSON_LINES = "application/x-ndjson"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/avif", "application/octet-stream")
"""What an image upload may be sent as; the server reads the format from the bytes, not from the header."""
IMAGE_BODY = {"type": "string", "format": "binary"}

SHOPPER_TOKEN, ADMIN_TOKEN, POKE_TICKET = "shopperToken", "adminToken", "pokeTicket"
SECURITY_SCHEMES = {
    SHOPPER_TOKEN: SecurityScheme(
        type="http", scheme="bearer",
        description="A device's token from `POST /api/auth/signup` or `/api/auth/login` (256-bit, shown once, stored "
                    "hashed); it stops working at logout, when the device is signed out, or after the idle/maximum age.",
    ),
    ADMIN_TOKEN: SecurityScheme(
        type="http", scheme="bearer",
        description="`LASTMILE_ADMIN_TOKEN` (owner-level) or an operator's API token (`lastmile operator token`); the "
                    "token's role must hold the permission the route needs, else 403 `forbidden`. The operator console "
                    "under `/admin` uses a session cookie instead; its HTML pages are not part of this description.",
    ),
    POKE_TICKET: SecurityScheme(
        type="apiKey", name="ticket", security_scheme_in="query",
        description="A short-lived ticket from `POST /api/sync/poke-ticket`, for EventSource, which cannot send headers.",
    ),
}
SHOPPER = [{SHOPPER_TOKEN: []}]
"""A shopper's bearer token is required."""
SHOPPER_IF_ANY = [{SHOPPER_TOKEN: []}, {}]
"""Works anonymously; a shopper's token, when sent, must be valid and makes the request theirs."""
POKE = [{SHOPPER_TOKEN: []}, {POKE_TICKET: []}]
"""A shopper's token or a poke ticket."""
ADMIN = [{ADMIN_TOKEN: []}]
"""The admin token or an operator's API token whose role holds the route's permission."""

PROBLEM_MEANINGS = {
    400: "The request is malformed: a parameter, header or body field is invalid (`invalid-input`), the body is not "
         "valid JSON/MessagePack or nests too deeply (`bad-body`), or a route-specific rule failed; `detail` says which.",
    401: "No valid credentials: the bearer token is missing, unknown, revoked or expired (`not-authenticated`), or the "
         "credentials sent are wrong.",
    402: "The payment was declined; nothing was ordered.",
    403: "The caller may not do this: the token's role lacks the route's permission (`forbidden`), or a rule "
         "specific to the route refused it; `detail` says which.",
    404: "No such resource, or it belongs to someone else (never told apart).",
    409: "The request conflicts with the current state (already done, taken, out of stock, wrong order status...).",
    413: "The body is larger than this route accepts.",
    422: "Well-formed but refused: a value breaks a rule of the domain; `detail` (and `errors`, per field or line) "
         "say what.",
    429: "Too many attempts; `Retry-After` says how many seconds to wait.",
    503: "Not available right now (the database does not answer, or a temporary failure); try again later.",
}


@lru_cache(maxsize=None)
def _problem_response(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_JSON,
        description=f"{HTTPStatus(status).phrase}. {PROBLEM_MEANINGS[status]} An RFC 9457 problem body.",
        generate_examples=False,
    )


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem responses (RFC 9457, `application/problem+json`) a route really gives, by status."""
    return {status: _problem_response(status) for status in sorted(statuses)}


def _inline(schema: Any, definitions: dict[str, Any]) -> Any:
    """``schema`` with every ``$ref`` to msgspec's ``$defs`` replaced by its definition (the raw-body Structs
    are not recursive)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {k: _inline(v, definitions) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(v, definitions) for v in schema]
    return schema


def struct_schema(struct: type) -> dict[str, Any]:
    """The JSON Schema of what msgspec's decoder for ``struct`` accepts, inline (the raw-body routes decode with
    msgspec themselves, so this is exactly their contract)."""
    schema = msgspec.json.schema(struct)
    return _inline(schema, schema.get("$defs", {}))


def json_lines(struct: type) -> dict[str, Any]:
    """A JSON-lines body of ``struct`` items: described as their array (one item per line on the wire), the way
    OpenAPI 3.2's ``itemSchema`` describes sequential media types."""
    return {"type": "array", "items": struct_schema(struct), "description": "one item per line (JSON lines)"}


@dataclass(frozen=True)
class RawBody:
    """A request body the handler reads itself (server/http/body.py): its schema per media type."""

    content: tuple[tuple[str, Any], ...]
    description: str
    required: bool = True

    def request_body(self) -> RequestBody:
        """As OpenAPI's Request Body Object."""
        return RequestBody(
            content={media_type: OpenAPIMediaType(schema=schema) for media_type, schema in self.content},
            description=self.description,
            required=self.required,
        )


def raw_body(
    schema: type | dict[str, Any], description: str, *, media_types: Sequence[str] = (JSON,), required: bool = True
) -> type[Operation]:
    """The operation class of a raw-body route: Litestar documents bodies only for ``data`` parameters, and these
    routes read the body themselves (size and structure limits first, then their own decoder)."""
    resolved = struct_schema(schema) if isinstance(schema, type) else schema
    body = RawBody(tuple((media_type, resolved) for media_type in media_types), description, required)

    @dataclass
    class RawBodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = body.request_body()

    return RawBodyOperation


def openapi_config(render_plugins: Sequence[OpenAPIRenderPlugin]) -> OpenAPIConfig:
    """The app's OpenAPI settings: docstrings as descriptions, the security schemes, the viewer's plugins."""
    return OpenAPIConfig(
        title="Lastmile",
        version="1",
        description="Backend of an online shop for weak mobile networks: catalog, accounts, sync, orders, loyalty, "
                    "web push, and the operators' `/api/admin/...` routes. Every 4xx/5xx answer is an RFC 9457 problem "
                    "(`application/problem+json`: `type`, `title`, `status`, `detail`, `instance`, `errors`).",
        path="/schema",
        render_plugins=list(render_plugins),
        use_handler_docstrings=True,
        components=Components(security_schemes=dict(SECURITY_SCHEMES)),
    )
