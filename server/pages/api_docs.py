"""The API description's viewer at `/schema`: Swagger UI served from the `swagger-ui-bundle-v2` Python package,
so the page renders with no request leaving the server (no CDN)."""

from __future__ import annotations

import hashlib
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import swagger_ui_bundle
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.openapi.plugins import SwaggerRenderPlugin

from server.http.conditional import matching_tag

ASSETS_PATH = "/schema/assets"
ASSETS = ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "favicon-32x32.png")
"""The only files served from the package (its source maps and templates stay private)."""
DIRECTORY = Path(swagger_ui_bundle.swagger_ui_path)
VERSION = DIRECTORY.name.removeprefix("swagger-ui-")


@lru_cache(maxsize=len(ASSETS))
def _asset(name: str) -> tuple[bytes, str, str]:
    body = (DIRECTORY / name).read_bytes()
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return body, kind, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


@get(f"{ASSETS_PATH}/{{name:str}}", sync_to_thread=True, include_in_schema=False, cache_control=None)
def schema_asset(request: Request, name: Annotated[str, PathParameter(max_length=64)]) -> Response[bytes]:
    """One file of the viewer (cached for a day; the version is in the page's URLs)."""
    if name not in ASSETS:
        raise NotFoundException(f"no viewer file {name!r}")
    body, kind, etag = _asset(name)
    headers = {"Cache-Control": "public, max-age=86400", "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if matching_tag(request, etag) is not None:
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=body, media_type=kind, headers=headers)


def render_plugin() -> SwaggerRenderPlugin:
    """Swagger UI at `/schema` (and `/schema/swagger`) with every file from this server."""
    return SwaggerRenderPlugin(
        version=VERSION,
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js?v={VERSION}",
        css_url=f"{ASSETS_PATH}/swagger-ui.css?v={VERSION}",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js?v={VERSION}",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        path=["/", "/swagger"],
    )
