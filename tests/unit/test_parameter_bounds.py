"""Every integer in a path or query is bounded to 64 bits (server/http/params.py), every query string in length."""

from __future__ import annotations

from litestar.params import ParameterKwarg

from server.app import create_app
from server.http.params import MAX_ID
from server.settings import Settings
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N


def _parameters(tmp_path):
    """(where, in the path?, field) of every path and query parameter of every route."""
    app = create_app(Settings(data_dir=tmp_path / "var", admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N))
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for name, field in handler.parsed_fn_signature.parameters.items():
                in_path = f"{{{name}:" in route.path
                if in_path or isinstance(field.kwarg_definition, ParameterKwarg):
                    yield f"{route.path} {name}", in_path, field


def _is(field, kind: type) -> bool:
    return field.is_subclass_of(kind) or (field.is_optional and kind in field.args)


def test_every_integer_parameter_is_bounded_to_64_bits(tmp_path):
    unbounded = []
    for where, _, field in _parameters(tmp_path):
        if _is(field, int) and not _is(field, bool):
            ge, le = getattr(field.kwarg_definition, "ge", None), getattr(field.kwarg_definition, "le", None)
            if ge is None or le is None or ge < -MAX_ID - 1 or le > MAX_ID:
                unbounded.append(where)
    assert [] == unbounded, "use server.http.params.Id / After / Before, or Parameter(ge=..., le=...)"


def test_every_query_string_is_bounded_in_length(tmp_path):
    unbounded = [
        where
        for where, in_path, field in _parameters(tmp_path)
        if not in_path and _is(field, str)
        and getattr(field.kwarg_definition, "max_length", None) is None
        and getattr(field.kwarg_definition, "pattern", None) is None
    ]
    assert [] == unbounded


def test_no_parameter_uses_litestars_deprecated_query_header_or_cookie_arguments(tmp_path):
    deprecated = [
        where
        for where, _, field in _parameters(tmp_path)
        if any(getattr(field.kwarg_definition, kind, None) for kind in ("query", "header", "cookie"))
    ]
    assert [] == deprecated, "use QueryParameter / HeaderParameter / CookieParameter(name=...)"
