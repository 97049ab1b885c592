"""Catalog import, by CLI (skip bad lines, idempotent) and by the admin API (all or nothing)."""

import json

import pytest

from catalog import store as catalog_store
from server.cli.main import main as cli_main
from tests.built_app import app_for
from tests.utils import add_product, assert_problem, jpeg_bytes, point_cli_at


@pytest.fixture
def cli_env(settings, monkeypatch):
    """The CLI reads settings from the environment: point it at this test's data dir."""
    point_cli_at(monkeypatch, settings)
    return settings


def product(sku: str, **over) -> dict:
    line = {
        "id": sku,
        "name": f"Name {sku}",
        "description": "desc",
        "price": 990,
        "currency": "EUR",
        "category": "tea",
        "stock": 5,
        "images": [],
    }
    line.update(over)
    return line


def write_jsonl(path, lines: list) -> None:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")


def test_cli_import_skips_bad_lines_by_number_and_imports_the_good(cli_env, tmp_path, capsys):
    images = tmp_path / "img"
    images.mkdir()
    (images / "good.jpg").write_bytes(jpeg_bytes())
    (images / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    source = tmp_path / "catalog.jsonl"
    write_jsonl(
        source,
        [
            product("OK-1", images=["good.jpg"]),
            "{not json",
            product("BAD-2", price=-5),
            product("BAD-3", images=["missing.jpg"]),
            product("BAD-4", images=["broken.jpg"]),
            product("BAD-5", images=["../etc/passwd"]),
            {**product("BAD-6"), "surprise": 1},
            product("bad id with spaces"),
            product("OK-2", category="kitchen"),
        ],
    )
    assert 1 == cli_main(["import-catalog", str(source), "--images", str(images), "--quiet"])
    out, err = capsys.readouterr()
    skipped_lines = sorted(int(line.split(":")[1]) for line in err.splitlines() if "skipped" in line)
    assert [2, 3, 4, 5, 6, 7, 8] == skipped_lines
    assert "malformed JSON" in err and "price" in err and "missing.jpg" in err and "broken.jpg" in err
    assert "surprise" in err
    assert "2 created, 0 updated, 0 unchanged, 7 skipped" in out

    from server.stores import open_database

    database = open_database(cli_env)
    db = database.read()
    assert ["OK-1", "OK-2"] == [r["id"] for r in db.query("SELECT id FROM products ORDER BY id")]
    assert 1 == len(catalog_store.image_ids(db, ["OK-1"])["OK-1"])
    database.close()


def test_cli_reimport_is_an_idempotent_upsert(cli_env, tmp_path, capsys):
    images = tmp_path / "img"
    images.mkdir()
    (images / "a.jpg").write_bytes(jpeg_bytes(seed=2))
    source = tmp_path / "c.jsonl"
    write_jsonl(source, [product("R-1", images=["a.jpg"]), product("R-2")])
    assert 0 == cli_main(["import-catalog", str(source), "--images", str(images), "--quiet"])
    assert 0 == cli_main(["import-catalog", str(source), "--images", str(images), "--quiet"])
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 2 unchanged, 0 skipped" in out
    write_jsonl(source, [product("R-1", images=["a.jpg"], price=1290), product("R-2")])
    assert 0 == cli_main(["import-catalog", str(source), "--images", str(images), "--quiet"])
    assert "0 created, 1 updated, 1 unchanged" in capsys.readouterr().out


def test_cli_import_missing_file_is_a_usage_error(cli_env, tmp_path, capsys):
    assert 2 == cli_main(["import-catalog", str(tmp_path / "nope.jsonl")])
    assert "not a file" in capsys.readouterr().err


def test_cli_stops_on_a_bad_setting_naming_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LASTMILE_PORT", "eighty")
    assert 2 == cli_main(["seed-demo", "--if-empty"])
    assert "LASTMILE_PORT" in capsys.readouterr().err


def test_seed_demo_if_empty_leaves_an_existing_catalog(cli_env, fresh_db, capsys):
    add_product(fresh_db, "EXISTING-1")
    assert 0 == cli_main(["seed-demo", "--if-empty", "--quiet"])
    assert "already has 1 products" in capsys.readouterr().out


def test_admin_import_is_all_or_nothing(client, admin_headers, fresh_db):
    upload = client.post("/api/admin/images", content=jpeg_bytes(), headers=admin_headers)
    assert 201 == upload.status_code
    image_id = upload.json()["id"]
    body = "\n".join(
        [
            json.dumps(product("H-1", images=[image_id])),
            json.dumps(product("H-2", currency="euro")),
            "[1, 2",
            json.dumps(product("H-3", images=["0" * 64])),
        ]
    )
    response = client.post("/api/admin/products", content=body, headers=admin_headers)
    problem = assert_problem(response, 422, "nothing was imported")
    assert [2, 3, 4] == [e["line"] for e in problem["errors"]]
    assert 0 == catalog_store.count_products(fresh_db.read())

    good = "\n".join(json.dumps(product(f"H-{i}", images=[image_id])) for i in range(3))
    assert {"created": 3, "updated": 0, "unchanged": 0} == client.post(
        "/api/admin/products", content=good, headers=admin_headers
    ).json()
    detail = client.get("/api/products/H-1").json()
    assert [image_id] == [image["id"] for image in detail["images"]]


def test_admin_routes_need_the_admin_token(client):
    assert_problem(client.post("/api/admin/products", content=b"{}"), 401)
    assert_problem(
        client.post("/api/admin/products", content=b"{}", headers={"Authorization": "Bearer wrong-token-xxxxxxxx"}), 401
    )


@pytest.mark.parametrize(
    ("data", "word"),
    [
        (b"", "empty"),
        (b"GIF89a broken", "not a readable image"),
        (b"plain text, not an image at all", "not a readable image"),
    ],
)
def test_admin_upload_refuses_bad_images(client, admin_headers, data, word, settings):
    assert_problem(client.post("/api/admin/images", content=data, headers=admin_headers), 422, word)
    assert not (settings.data_dir / "originals").exists() or not any((settings.data_dir / "originals").rglob("*.*"))


def test_admin_upload_over_the_byte_limit_is_413(settings, fresh_db, admin_headers):
    from litestar.testing import TestClient

    small = settings.with_(max_upload_bytes=2048)
    with TestClient(app_for(small, fresh_db)) as c:
        assert_problem(c.post("/api/admin/images", content=b"x" * 4096, headers=admin_headers), 413, "limit")


def test_json_body_over_the_limit_is_413(settings, fresh_db, admin_headers):
    from litestar.testing import TestClient

    with TestClient(app_for(settings.with_(max_upload_bytes=1024), fresh_db)) as c:
        response = c.post("/api/admin/products", content=b"{" * 5000, headers=admin_headers)
        assert_problem(response, 413)


def test_a_batch_writes_its_products_in_id_order_and_a_repeated_id_keeps_its_last_line(fresh_db, monkeypatch):
    """The order checkout locks products in, so two imports (or an import and a checkout) sharing products cannot
    deadlock on PostgreSQL; a repeated id is still written in file order, so its last line wins."""
    import msgspec

    from catalog import importer
    from catalog.models import ImportLine

    written = []
    upsert = catalog_store.upsert_product
    monkeypatch.setattr(catalog_store, "upsert_product",
                        lambda db, row, images, now: written.append(row["id"]) or upsert(db, row, images, now))
    lines = [product(sku) for sku in ("ZED", "ANT", "MUG")] + [product("ANT", name="Ant, renamed")]
    parsed = [(n, msgspec.convert(line, ImportLine)) for n, line in enumerate(lines, start=1)]
    importer.import_products(fresh_db, parsed, lambda line: [])
    assert ["ANT", "ANT", "MUG", "ZED"] == written
    assert "Ant, renamed" == catalog_store.get_product(fresh_db.read(), "ANT")["name"]
