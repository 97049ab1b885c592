"""Operator routes for the catalog: upload an image, import products (all or nothing), search synonyms."""

from __future__ import annotations

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency

from catalog import search
from catalog import store as catalog_store
from catalog.importer import import_products, parse_lines
from catalog.models import ImportLine, SynonymList, SynonymsInput
from media import store as media_store
from media.ingest import QUICK_FORMATS, build_missing, ingest_original
from server.db import Database
from operators.roles import Permission
from server.http.body import read_body
from server.http.roles import PERMISSION, role_guard
from server.settings import Settings


class UploadedImage(msgspec.Struct, rename="camel"):
    """An accepted original; use its id in a product's `images`."""

    id: str
    width: int
    height: int


class ImportResult(msgspec.Struct, rename="camel"):
    """Counts of what the import did."""

    created: int
    updated: int
    unchanged: int


class AdminCatalogController(Controller):
    """`/api/admin/...` catalog operations (the catalog permission)."""

    path = "/api/admin"
    guards = [role_guard]
    opt = {PERMISSION: Permission.CATALOG}
    tags = ["admin"]

    @post("/images", status_code=201, request_max_body_size=None)
    async def upload_image(
        self, request: Request, database: NamedDependency[Database], settings: NamedDependency[Settings]
    ) -> Response[UploadedImage]:
        """Store an original sent as the raw body with its WebP/JPEG variants; AVIF follows in the background."""
        data = await read_body(request, settings.max_upload_bytes, structured=False)
        limits = {"max_bytes": settings.max_upload_bytes, "max_pixels": settings.max_image_pixels}

        def ingest() -> dict:
            image_id = ingest_original(database, settings.data_dir, data, name="upload", formats=QUICK_FORMATS, **limits)
            return media_store.get_images(database.read(), [image_id])[image_id]

        row = await to_thread.run_sync(ingest)
        return Response(
            UploadedImage(id=row["id"], width=row["width"], height=row["height"]),
            status_code=201,
            background=BackgroundTask(build_missing, database, settings.data_dir, row["id"], **limits),
        )

    @post("/products", status_code=200, request_max_body_size=None)
    async def import_catalog(self, request: Request, database: NamedDependency[Database], settings: NamedDependency[Settings]) -> ImportResult:
        """Import JSONL products whose `images` are ids from /api/admin/images; any bad line → 422, nothing written."""
        body = await read_body(request, settings.max_upload_bytes)
        parsed = list(parse_lines(body.splitlines(), settings.max_import_line_bytes))

        def resolve(line: ImportLine) -> list[str]:
            known = media_store.get_images(database.read(), list(line.images))
            missing = [i for i in line.images if i not in known]
            if missing:
                raise ValueError(f"unknown image id(s): {', '.join(missing[:3])}")
            return list(line.images)

        report = await to_thread.run_sync(lambda: import_products(database, parsed, resolve, all_or_nothing=True))
        return ImportResult(created=report.created, updated=report.updated, unchanged=report.unchanged)

    @get("/catalog/synonyms", sync_to_thread=True)
    def synonyms(self, database: NamedDependency[Database]) -> SynonymList:
        """The built-in synonym groups and the operators' ones."""
        with database.snapshot() as db:
            return search.synonym_list(db)

    @put("/catalog/synonyms", sync_to_thread=True)
    def replace_synonyms(self, data: JSONBody[SynonymsInput], database: NamedDependency[Database]) -> SynonymList:
        """Replace the operators' synonym groups (single words; a bad term -> 422, nothing changed)."""
        groups = search.clean_groups([list(g) for g in data.groups])
        with database.write() as db:
            catalog_store.replace_synonym_groups(db, groups)
        with database.snapshot() as db:
            return search.synonym_list(db)
