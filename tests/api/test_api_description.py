"""The generated API description is complete: every operation has a summary and a description, the security its
handler really enforces, its request body, and RFC 9457 problem responses for what it can refuse."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from server.app import create_app
from server.http.api_description import ADMIN_TOKEN, SHOPPER_TOKEN
from server.http.problems import PROBLEM_JSON
from server.http.roles import role_guard
from server.api.metrics import metrics_guard
from server.settings import Settings
from tests.utils import ADMIN_TOKEN as ADMIN_BEARER
from tests.utils import TEST_SCRYPT_N

METHODS = ("get", "put", "post", "delete", "patch")
PROBLEM_REF = "#/components/schemas/Problem"


@pytest.fixture(scope="module")
def described(tmp_path_factory):
    """(the description, {(method, path): route handler}) of the app; the description does not depend on the
    database, so one SQLite-backed app serves every test here."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("described") / "var", admin_token=ADMIN_BEARER,
                        scrypt_n=TEST_SCRYPT_N)
    with TestClient(create_app(settings)) as client:
        spec = client.get("/schema/openapi.json").json()
        handlers = {}
        for route in client.app.routes:
            for handler in getattr(route, "route_handlers", []):
                for method in handler.http_methods:
                    handlers[(method.lower(), route.path_format)] = handler
    return spec, handlers


def _operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def _schemes(operation) -> set[str]:
    return {name for requirement in operation.get("security") or [] for name in requirement}


def _guarded_by(handler) -> tuple[bool, bool]:
    """(needs a shopper, needs an operator) as the handler really enforces it."""
    guards = handler.resolve_guards()
    operator = role_guard in guards or metrics_guard in guards
    shopper = "current_user" in handler.parsed_fn_signature.parameters
    return shopper, operator


def _takes_body(handler) -> bool:
    """A `data` parameter, or a raw-body route (server/http/body.py's read_body, request_max_body_size=None)."""
    return "data" in handler.parsed_fn_signature.parameters or handler.request_max_body_size is None


def _structured_body(operation) -> bool:
    """A body that is parsed (JSON, JSON lines, MessagePack), so it can be malformed; raw image bytes cannot."""
    content = (operation.get("requestBody") or {}).get("content") or {}
    return any(media.get("schema", {}).get("format") != "binary" for media in content.values())


def _gaps(spec, handlers):
    for method, path, operation in _operations(spec):
        where = f"{method.upper()} {path}"
        handler = handlers[(method, path)]
        summary = operation.get("summary") or ""
        if not summary or summary == handler.handler_name.title().replace("_", ""):
            yield f"{where}: no summary (only the handler's name)"
        if not operation.get("description"):
            yield f"{where}: no description"
        statuses = {int(code) for code in operation["responses"] if code.isdigit()}
        shopper, operator = _guarded_by(handler)
        schemes = _schemes(operation)
        if shopper and SHOPPER_TOKEN not in schemes:
            yield f"{where}: needs a shopper token but documents no {SHOPPER_TOKEN} security"
        if operator and ADMIN_TOKEN not in schemes:
            yield f"{where}: needs an operator but documents no {ADMIN_TOKEN} security"
        if (shopper or operator) and 401 not in statuses:
            yield f"{where}: guarded but documents no 401"
        if operator and 403 not in statuses:
            yield f"{where}: role-guarded but documents no 403"
        unknown = schemes - set(spec["components"]["securitySchemes"])
        if unknown:
            yield f"{where}: unknown security schemes {sorted(unknown)}"
        if _takes_body(handler):
            content = (operation.get("requestBody") or {}).get("content") or {}
            if not content or not all(media.get("schema") for media in content.values()):
                yield f"{where}: takes a body but documents none (or no schema)"
            if 413 not in statuses:
                yield f"{where}: takes a body but documents no 413"
        if (operation.get("parameters") or _structured_body(operation)) and 400 not in statuses:
            yield f"{where}: takes parameters or a structured body but documents no 400"
        if not any(400 <= s < 600 for s in statuses) and (shopper or operator or operation.get("parameters")):
            yield f"{where}: documents no problem response"
        for status in sorted(s for s in statuses if s >= 400):
            content = operation["responses"][str(status)].get("content") or {}
            if list(content) != [PROBLEM_JSON] or content[PROBLEM_JSON]["schema"] != {"$ref": PROBLEM_REF}:
                yield f"{where}: {status} is not an {PROBLEM_JSON} Problem"


def test_every_operation_is_fully_described(described):
    spec, handlers = described
    assert [] == list(_gaps(spec, handlers)), (
        "declare summary=, security= and responses=problems(...) on the route (server/http/api_description.py); "
        "a route that reads its own body also needs operation_class=raw_body(...)")


def test_the_problem_schema_is_rfc_9457(described):
    spec, _ = described
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} == set(problem["required"])
    assert {"type", "title", "status", "detail", "instance", "errors"} == set(problem["properties"])


def test_bearer_schemes_and_the_idempotency_key_are_declared(described):
    spec, _ = described
    schemes = spec["components"]["securitySchemes"]
    assert ("http", "bearer") == (schemes[SHOPPER_TOKEN]["type"], schemes[SHOPPER_TOKEN]["scheme"])
    assert ("http", "bearer") == (schemes[ADMIN_TOKEN]["type"], schemes[ADMIN_TOKEN]["scheme"])
    checkout = spec["paths"]["/api/orders"]["post"]
    headers = {p["name"]: p for p in checkout["parameters"] if p["in"] == "header"}
    assert "^[\\x21-\\x7e]{1,200}$" == headers["Idempotency-Key"]["schema"]["pattern"]


@pytest.mark.parametrize(
    ("method", "path", "media_types"),
    [
        ("post", "/api/sync/push", ["application/json", "application/msgpack"]),
        ("post", "/api/sync/pull", ["application/json", "application/msgpack"]),
        ("post", "/api/orders", ["application/json"]),
        ("post", "/api/admin/products", ["application/x-ndjson"]),
        ("post", "/api/admin/images", ["image/jpeg", "image/png", "image/webp", "image/avif", "application/octet-stream"]),
    ],
)
def test_raw_body_routes_document_their_media_types(described, method, path, media_types):
    spec, _ = described
    assert media_types == list(spec["paths"][path][method]["requestBody"]["content"])


def test_a_raw_json_body_is_the_schema_its_decoder_enforces(described):
    spec, _ = described
    push = spec["paths"]["/api/sync/push"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"clientId", "mutations"} == set(push["required"])
    assert {"id", "name", "args"} <= set(push["properties"]["mutations"]["items"]["required"])
    lines = spec["paths"]["/api/admin/products"]["post"]["requestBody"]["content"]["application/x-ndjson"]["schema"]
    assert ("array", False) == (lines["type"], lines["items"]["additionalProperties"])
