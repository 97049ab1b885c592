"""Shop pages over HTTP: product page content and budget, escaping, 404, listing paging, PWA files."""

import re

import brotli
import pytest

from server.pwa_assets import build_bundle
from tests.conftest import add_product

HTML = "text/html; charset=utf-8"


def test_product_page_carries_the_product_in_one_self_contained_response(client, fresh_db):
    add_product(fresh_db, "TEA-1", name="Sencha Loose Leaf", price=1290, stock=3, category="tea",
                description="Green tea.\n\nSteep for two minutes.")
    response = client.get("/p/TEA-1", headers={"Accept-Encoding": "br"})
    assert 200 == response.status_code
    assert HTML == response.headers["content-type"]
    html = response.text
    for expected in ("<h1>Sencha Loose Leaf</h1>", "€12.90", "Only a few left (3)", "<p>Green tea.</p>",
                     "<p>Steep for two minutes.</p>", 'href="/c/tea"', "<style>"):
        assert expected in html
    # Nothing render-blocking: no external stylesheet, the only script is a module at the end of the body.
    assert not re.search(r"<link[^>]+rel=\"?stylesheet", html)
    assert [('type="module"', "")] == [(m.group(1), "") for m in re.finditer(r"<script ([^>]*?) src=", html)]
    assert html.index("<script") > html.index("</main>")
    assert "Accept-Encoding" in response.headers["vary"] and "Save-Data" in response.headers["vary"]
    assert "ECT" in response.headers["accept-ch"]
    assert "br" == response.headers["content-encoding"]


def test_product_page_stays_under_thirty_kilobytes_compressed(client, fresh_db):
    add_product(fresh_db, "BIG-1", name="Long description", description="All the details. " * 290)
    raw = client.get("/p/BIG-1", headers={"Accept-Encoding": "br"})
    assert len(raw.content) < 30_000
    assert len(brotli.compress(raw.content)) < 30_000


def test_everything_the_catalog_holds_is_escaped(client, fresh_db):
    add_product(fresh_db, "XSS-1", name='<script>alert("n")</script>', description='<img src=x onerror=alert(1)> & "q"')
    html = client.get("/p/XSS-1").text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;" in html


def test_product_page_answers_if_none_match_with_304(client, fresh_db):
    add_product(fresh_db, "ETAG-1")
    first = client.get("/p/ETAG-1")
    again = client.get("/p/ETAG-1", headers={"If-None-Match": first.headers["etag"]})
    assert 304 == again.status_code
    assert b"" == again.content


@pytest.mark.parametrize("path", ["/p/NOPE-1", "/p/bad%20id%3Cx%3E", "/p/" + "x" * 100])
def test_unknown_product_is_a_404_page_that_leads_back_to_the_shop(client, fresh_db, path):
    add_product(fresh_db, "REAL-1", category="coffee")
    response = client.get(path)
    assert 404 == response.status_code
    assert HTML == response.headers["content-type"]
    assert "no-store" == response.headers["cache-control"]
    assert "We could not find that product" in response.text
    assert 'href="/"' in response.text and 'href="/c/coffee"' in response.text


def test_listing_pages_through_the_catalog_with_the_cursor(client, fresh_db):
    for i in range(30):
        add_product(fresh_db, f"SKU-{i:03d}", name=f"Thing {i:03d}", category="misc" if i % 2 else "other")
    first = client.get("/")
    assert 200 == first.status_code
    names = re.findall(r"<b>(Thing \d+)</b>", first.text)
    assert [f"Thing {i:03d}" for i in range(24)] == names
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = client.get(next_link)
    assert [f"Thing {i:03d}" for i in range(24, 30)] == re.findall(r"<b>(Thing \d+)</b>", second.text)
    assert 'rel="next"' not in second.text
    category = client.get("/c/misc")
    assert [f"Thing {i:03d}" for i in range(1, 30, 2)] == re.findall(r"<b>(Thing \d+)</b>", category.text)
    assert 'href="/p/SKU-001"' in category.text


def test_listing_search_and_bad_links(client, fresh_db):
    add_product(fresh_db, "A-1", name="Copper Kettle")
    add_product(fresh_db, "A-2", name="Bamboo Board")
    assert ["Copper Kettle"] == re.findall(r"<b>([^<]+)</b>", client.get("/", params={"q": "kett"}).text)
    bad = client.get("/", params={"cursor": "forged"})
    assert 400 == bad.status_code
    assert HTML == bad.headers["content-type"]
    assert 'href="/"' in bad.text
    assert 404 == client.get("/c/Not_A_Category").status_code


def test_service_worker_manifest_and_shell_assets_are_served_for_the_pwa(client):
    sw = client.get("/sw.js")
    assert 200 == sw.status_code
    assert "no-cache" == sw.headers["cache-control"]
    assert sw.headers["content-type"].startswith("text/javascript")
    precached = re.search(r"const PRECACHE = (\[.*\]);", sw.text).group(1)
    for url in re.findall(r'"url": "([^"]+)"', precached):
        asset = client.get(url)
        assert 200 == asset.status_code, url
        if url.startswith("/static/"):
            assert "immutable" in asset.headers["cache-control"]
    manifest = client.get("/manifest.webmanifest").json()
    assert "standalone" == manifest["display"]
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    assert "You are offline" in client.get("/offline").text
    assert 404 == client.get("/static/app.000000000000.js").status_code


def test_service_worker_bytes_change_when_any_shell_asset_changes(tmp_path):
    from server.pwa_assets import PWA_DIR

    for path in PWA_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    before = build_bundle(tmp_path)
    (tmp_path / "page.css").write_text((tmp_path / "page.css").read_text() + "\n.x{color:red}")
    after_css = build_bundle(tmp_path)
    (tmp_path / "cart.js").write_text("export function start() {}\n")
    after_feature = build_bundle(tmp_path)
    assert len({before.sw_js, after_css.sw_js, after_feature.sw_js}) == 3
    assert len({before.version, after_css.version, after_feature.version}) == 3
    assert any(url.startswith("/static/cart.") for url in after_feature.assets)
    # the app shell module learns the feature module's hashed URL
    cart_url = next(url for url in after_feature.assets if url.startswith("/static/cart."))
    assert cart_url in after_feature.assets[after_feature.shell.app_js_url].body.decode()
