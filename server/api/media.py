"""`GET /media/{imageId}/{width}.{avif|webp|jpg}`: immutable, content-addressed image variants."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from media.serving import load_variant
from server.db import Database
from server.http.api_description import problems
from server.http.conditional import matching_tag
from server.settings import Settings

IMMUTABLE = "public, max-age=31536000, immutable"


@get("/media/{image_id:str}/{name:str}", sync_to_thread=True, include_in_schema=True, tags=["media"],
     summary="An image variant", responses=problems(400, 404))
def media_variant(
    request: Request,
    image_id: Annotated[str, Parameter(description="sha256 of the original", max_length=64)],
    name: Annotated[str, Parameter(description="WIDTH.avif|webp|jpg", max_length=16)],
    database: NamedDependency[Database], settings: NamedDependency[Settings]
) -> Response[bytes]:
    """One variant (read in a worker thread); 404 problem for ids, widths or formats that do not exist."""
    variant = load_variant(database.read(), settings.media_root, image_id, name)
    headers = {"Cache-Control": IMMUTABLE, "ETag": variant.etag, "X-Content-Type-Options": "nosniff"}
    if matching_tag(request, variant.etag) is not None:
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=variant.body, media_type=variant.content_type, headers=headers)
