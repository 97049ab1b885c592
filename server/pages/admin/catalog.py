"""`/admin/catalog`: import a JSONL file and its photos with live progress; edit a product's stock and price.

The import runs in a thread of the process that received it; its progress lives in the database, so the page
polling it may be served by any process.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Annotated

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, Parameter

from catalog import service as catalog_service
from catalog import store as catalog_store
from catalog.errors import BadCursor
from catalog.file_import import image_names, import_file
from catalog.importer import now_iso
from operators import service
from operators.roles import Permission
from server.http.params import Id
from server.http.roles import PERMISSION
from server.pages.admin.common import Ctx, ctx, form_fields, parse_int, refused
from server.pages.admin.console import html_response, note_audit, redirect
from server.pages.admin.layout import csrf_field, frame, h, money, table

PAGE = 50
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$")
JOB_KIND = "catalog-import"
PROGRESS_EVERY = 0.5  # seconds between progress writes: the writer is shared with shoppers


@get("/admin/catalog", opt={PERMISSION: Permission.CATALOG}, sync_to_thread=True, include_in_schema=False)
def catalog_page(request: Request, cursor: Annotated[str | None, Parameter(max_length=512)] = None,
                 q: Annotated[str | None, Parameter(max_length=200)] = None) -> Response:
    """The import form and products with stock and price forms."""
    c = ctx(request)
    try:
        with c.database.snapshot() as db:
            page = catalog_service.product_page(db, cursor=cursor, limit=PAGE, q=q or None, category=None)
            stock = {pid: row["stock"] for pid, row in catalog_store.get_products(db, [p.id for p in page.items]).items()}
    except BadCursor:
        return refused(c, "catalog", c.t("catalog.bad_cursor"), status=400)
    upload = (
        f'<h2>{h(c.t("catalog.import"))}</h2><form class="stack" method="post" action="/admin/catalog/import" '
        f'enctype="multipart/form-data">{csrf_field(c.info)}'
        f'<label for="file">{h(c.t("catalog.file"))}</label><input id="file" name="file" type="file" accept=".jsonl,.json,.txt" required>'
        f'<label for="photos">{h(c.t("catalog.photos"))}</label><input id="photos" name="photos" type="file" accept="image/*" multiple>'
        f'<button type="submit">{h(c.t("catalog.start"))}</button></form>'
    )
    rows = []
    for p in page.items:
        label = h(c.t("catalog.edit", name=p.name))
        edit = (f'<form class="inline" method="post" action="/admin/catalog/products/{h(p.id)}" aria-label="{label}">'
                f'{csrf_field(c.info)}<input type="hidden" name="stock_was" value="{stock.get(p.id, 0)}">'
                f'<input name="stock" value="{stock.get(p.id, 0)}" size="5" inputmode="numeric" '
                f'aria-label="{h(c.t("catalog.stock"))}"><input name="price" value="{p.price}" size="7" '
                f'inputmode="numeric" aria-label="{h(c.t("catalog.price_minor"))}">'
                f'<button class="small" type="submit">{h(c.t("save"))}</button></form>')
        rows.append([p.id, p.name, p.category, money(p.price, p.currency), stock.get(p.id, 0), edit])
    search = (f'<form class="inline" method="get" action="/admin/catalog" role="search"><label for="cq">'
              f'{h(c.t("catalog.search"))}</label><input id="cq" name="q" value="{h(q or "")}" maxlength="200">'
              f'<button class="small" type="submit">{h(c.t("filter"))}</button></form>')
    listing = search + table(c.t("catalog.products"), [c.t("catalog.sku"), c.t("catalog.name"), c.t("catalog.category"),
                                                       c.t("catalog.price"), c.t("catalog.stock"), c.t("catalog.change")],
                             rows, numeric=(3, 4), raw=(5,))
    if page.next_cursor:
        listing += f'<p><a href="/admin/catalog?cursor={h(page.next_cursor)}">{h(c.t("more"))}</a></p>'
    return html_response(frame(request, c.info, c.t("catalog.title"), upload + listing, flash=c.flash))


@post("/admin/catalog/products/{product_id:str}", opt={PERMISSION: Permission.STOCK}, include_in_schema=False)
async def edit_product(request: Request, product_id: FromPath[str]) -> Response:
    """Set one product's stock and price (minor units)."""
    c = ctx(request)
    f = await form_fields(request, "stock", "price", "stock_was")
    note_audit(request, f"product {product_id[:64]}: stock {f['stock'][:12]}, price {f['price'][:12]}")
    stock, price = parse_int(f["stock"], 0, 1_000_000_000), parse_int(f["price"], 0, 10**12)
    if stock is None or price is None:
        return refused(c, "catalog", c.t("catalog.numbers"))

    # The stock as the page showed it: left as it was, it is not written back (checkouts since then took units
    # from the live figure, and writing the shown one would sell them again).
    keep_stock = parse_int(f["stock_was"], 0, 1_000_000_000) == stock

    def save() -> bool:
        with c.database.write() as db:
            now = now_iso()
            return ((keep_stock or catalog_store.set_stock(db, product_id, stock, now))
                    and catalog_store.set_price(db, product_id, price, now))

    if not await to_thread.run_sync(save):
        return refused(c, "catalog", c.t("catalog.unknown"), status=404)
    return redirect("/admin/catalog?done=saved")


def _run_import(database, settings, job_id: int, source: Path, folder: Path) -> None:
    """The import thread: photos then products, progress written at most every PROGRESS_EVERY seconds."""
    names = image_names(source, settings.max_import_line_bytes)
    size = source.stat().st_size
    total = len(names) + size
    counted = {"done": 0, "at": 0.0}

    def step(amount: int, name: str) -> None:
        counted["done"] += amount
        now = time.monotonic()
        if now - counted["at"] >= PROGRESS_EVERY:
            counted["at"] = now
            service.job_progress(database, job_id, name, counted["done"], total)

    try:
        report = import_file(database, settings.data_dir, source, folder, names=names,
                             max_line_bytes=settings.max_import_line_bytes, max_bytes=settings.max_upload_bytes,
                             max_pixels=settings.max_image_pixels, workers=settings.media_workers,
                             on_image=lambda: step(1, "images"), on_bytes=lambda n: step(n, "products"))
        result = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                  "skipped": report.skipped, "problems": [[n, m[:200]] for n, m in report.problems[:50]]}
        service.job_progress(database, job_id, "products", total, total, state="done", result=json.dumps(result))
    except Exception as exc:  # noqa: BLE001 - the job must end in a state the page can show
        service.job_progress(database, job_id, "products", counted["done"], total, state="failed",
                             result=json.dumps({"error": type(exc).__name__}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@post("/admin/catalog/import", opt={PERMISSION: Permission.CATALOG}, include_in_schema=False,
      request_max_body_size=None)
async def start_import(request: Request) -> Response:
    """Save the uploaded file and photos, start the import, and send the browser to its progress page."""
    c = ctx(request)
    if int(request.headers.get("content-length") or 0) > c.settings.max_upload_bytes:
        return refused(c, "catalog", c.t("catalog.too_large"), status=413)
    form = await request.form()
    upload = form.get("file")
    photos = [p for p in form.getall("photos", []) if isinstance(p, UploadFile) and p.filename]  # none: a JSONL alone
    if not isinstance(upload, UploadFile) or not upload.filename:
        return refused(c, "catalog", c.t("catalog.no_file"))
    bad = [p.filename for p in photos if not _NAME.match(p.filename)]
    if bad:
        return refused(c, "catalog", c.t("catalog.bad_name", name=bad[0][:60]))
    job_id = await to_thread.run_sync(service.start_job, c.database, c.info.principal, JOB_KIND)
    note_audit(request, f"import job {job_id}: {len(photos)} photo(s)")
    folder = c.settings.data_dir / "imports" / str(job_id)

    async def save() -> Path:
        await to_thread.run_sync(lambda: folder.mkdir(parents=True, exist_ok=True))
        for photo in photos:
            data = await photo.read()
            await to_thread.run_sync((folder / photo.filename).write_bytes, data)
        source = folder / "catalog.jsonl"
        await to_thread.run_sync(source.write_bytes, await upload.read())
        return source

    source = await save()
    threading.Thread(target=_run_import, args=(c.database, c.settings, job_id, source, folder), daemon=True,
                     name=f"catalog-import-{job_id}").start()
    return redirect(f"/admin/catalog/imports/{job_id}")


def _job_state(c: Ctx, job_id: int) -> dict | None:
    """The import's progress, what it did, and its status text in the operator's language (with what it did, once
    done); None for no import of that id."""
    row = service.job(c.database, job_id)
    if row is None or row["kind"] != JOB_KIND:
        return None
    result = json.loads(row["result"]) if row["result"] else {}
    text = c.t("catalog.state." + row["state"])
    if row["state"] == "done":
        counts = {k: result.get(k, 0) for k in ("created", "updated", "unchanged", "skipped")}
        text += " " + c.t("catalog.summary", **counts)
    return {"state": row["state"], "done": row["done"], "total": max(row["total"], 1), "step": row["step"],
            "result": result, "text": text}


@get("/admin/catalog/imports/{job_id:int}", opt={PERMISSION: Permission.CATALOG}, sync_to_thread=True,
     include_in_schema=False)
def import_page(request: Request, job_id: Id) -> Response:
    """The import's progress bar (updated live by /admin/console.js) and, once done, what it did."""
    c = ctx(request)
    job = _job_state(c, job_id)
    if job is None:
        return refused(c, "catalog", c.t("catalog.no_job"), status=404)
    result = job["result"]
    problems = table(c.t("catalog.problems"), [c.t("catalog.line"), c.t("catalog.problem")],
                     result.get("problems", []), numeric=(0,)) if result.get("problems") else ""
    body = (
        f'<div id="import-job" data-job="{job_id}" data-state="{h(job["state"])}">'
        f'<label for="import-progress">{h(c.t("catalog.progress"))}</label>'
        f'<progress id="import-progress" max="{job["total"]}" value="{job["done"]}"></progress>'
        f'<p role="status" id="import-status">{h(job["text"])}</p>{problems}'
        f'<p><a href="/admin/catalog/imports/{job_id}">{h(c.t("refresh"))}</a> · '
        f'<a href="/admin/catalog">{h(c.t("back"))}</a></p></div>'
        '<script src="/admin/console.js" defer></script>'
    )
    return html_response(frame(request, c.info, c.t("catalog.import_job", id=job_id), body))


@get("/admin/catalog/imports/{job_id:int}/status", opt={PERMISSION: Permission.CATALOG}, sync_to_thread=True,
     include_in_schema=False)
def import_status(request: Request, job_id: Id) -> Response:
    """The import's progress as JSON (what console.js polls), with the status text in the operator's language."""
    c = ctx(request)
    job = _job_state(c, job_id)
    if job is None:
        return Response(content={"state": "unknown"}, status_code=404, headers={"Cache-Control": "no-store"})
    return Response(content={"state": job["state"], "done": job["done"], "total": job["total"], "text": job["text"]},
                    headers={"Cache-Control": "no-store"})


CATALOG_ROUTES = [catalog_page, edit_product, start_import, import_page, import_status]
