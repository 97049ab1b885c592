"""Shop pages over HTTP: product page content and budget, escaping, 404, listing paging, PWA files."""

import json
import re

import brotli
import pytest

from server.pages.assets import build_bundle
from tests.utils import add_product

HTML = "text/html; charset=utf-8"


def test_product_page_carries_the_product_in_one_self_contained_response(client, fresh_db):
    add_product(fresh_db, "TEA-1", name="Sencha Loose Leaf", price=1290, stock=3, category="tea",
                description="Green tea.\n\nSteep for two minutes.")
    response = client.get("/p/TEA-1", headers={"Accept-Encoding": "br"})
    assert 200 == response.status_code
    assert HTML == response.headers["content-type"]
    html = response.text
    expected = ("<h1>Sencha Loose Leaf</h1>", "€12.90", "Only a few left (3)", "<p>Green tea.</p>",
                "<p>Steep for two minutes.</p>", 'href="/c/tea"', "<style>")
    assert [] == [text for text in expected if text not in html]
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


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    "language, heading",
    [("en", "There is no page at this address"), ("zh-CN,zh;q=0.9", "这个地址没有页面")],
)
def test_a_browser_at_an_unknown_address_gets_the_shops_404_page_in_its_language(client, language, heading):
    response = client.get("/no-such/page", headers={"Accept": BROWSER, "Accept-Language": language})
    assert (404, HTML, "no-store") == (response.status_code, response.headers["content-type"],
                                       response.headers["cache-control"])
    assert heading in response.text
    assert 'href="/"' in response.text
    assert language.split(",")[0] == response.headers["content-language"]


@pytest.mark.parametrize(
    "language, heading, text",
    [("en", "That page link does not work", "too long, or not valid"), ("zh-CN", "这个页面链接无法使用", "过长或无效")],
)
def test_a_browser_whose_search_a_route_refuses_gets_the_bad_link_page_in_its_language(client, language, heading, text):
    response = client.get("/?q=" + "tea " * 60, headers={"Accept": BROWSER, "Accept-Language": language})
    assert (400, HTML, "no-store") == (response.status_code, response.headers["content-type"],
                                       response.headers["cache-control"])
    assert heading in response.text and text in response.text
    assert 400 == client.get("/?q=" + "tea " * 60, headers={"Accept": "application/json"}).json()["status"]

@pytest.mark.parametrize(
    "query, language, why",
    [
        ({"q": "!!!"}, "zh-CN", "搜索内容中没有可查找的字词"),
        ({"cursor": "forged"}, "zh-CN", "链接已过期或被改动"),
        ({"q": "!!!"}, "en", "The search has no words to look for"),
        ({"cursor": "forged"}, "en", "The link is old or was changed"),
    ],
)
def test_a_search_or_page_link_the_catalog_refuses_says_why_in_the_pages_language(client, query, language, why):
    response = client.get("/", params=query, headers={"Accept": BROWSER, "Accept-Language": language})
    assert (400, HTML) == (response.status_code, response.headers["content-type"])
    main = re.search(r"<main>(.*)</main>", response.text, re.S).group(1)
    assert why in main
    assert "cursor" not in main and "q has" not in main     # the catalog's English detail stays the API's
    if language == "zh-CN":
        assert None is re.search(r"[A-Za-z.]", re.sub(r"<[^>]+>", "", main))  # no English word, no ASCII full stop


@pytest.mark.parametrize(
    "path, accept, detail",
    [
        ("/no-such/page", "application/json", "nothing at GET /no-such/page"),
        ("/no-such/page", "*/*", "nothing at GET /no-such/page"),
        ("/api/nope", BROWSER, "nothing at GET /api/nope"),
        ("/admin/nope", BROWSER, "nothing at GET /admin/nope"),
        ("/static/nope.js", BROWSER, "no asset at /static/nope.js (asset names change with each release)"),
    ],
)
def test_api_clients_files_and_the_console_get_a_problem_for_an_unknown_address(client, path, accept, detail):
    response = client.get(path, headers={"Accept": accept})
    assert (404, "application/problem+json") == (response.status_code, response.headers["content-type"])
    assert detail == response.json()["detail"]

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
    missing = client.get("/static/app.000000000000.js")
    assert (404, "application/problem+json") == (missing.status_code, missing.headers["content-type"])
    assert "/static/app.000000000000.js" in missing.json()["detail"]


def test_worker_side_scripts_are_imported_by_the_worker_not_started_as_page_features(tmp_path):
    (tmp_path / "app.js").write_text('const ASSETS = /*ASSETS*/{}/*END*/;\n')
    (tmp_path / "sw.js").write_text("// worker\n")
    (tmp_path / "page.css").write_text("a{color:red}")
    (tmp_path / "push-sw.js").write_text("// push\n")
    (tmp_path / "sync-store.js").write_text("// store\n")
    (tmp_path / "cart.js").write_text("export function start() {}\n")
    bundle = build_bundle(tmp_path)
    url = {name: next(u for u in bundle.assets if u.startswith(f"/static/{name}.")) for name in ("push-sw", "sync-store", "cart")}
    imports = re.search(r"importScripts\(\.\.\.(\[.*\])\);", bundle.sw_js.decode()).group(1)
    assert [url["push-sw"]] == re.findall(r'"([^"]+)"', imports)
    features = re.search(r'"features": (\[[^\]]*\])', bundle.assets[bundle.shell.app_js_url].body.decode()).group(1)
    assert sorted([url["cart"], url["sync-store"]]) == sorted(re.findall(r'"([^"]+)"', features))


def test_service_worker_bytes_change_when_any_shell_asset_changes(tmp_path):
    from server.pages.assets import PWA_DIR

    for path in PWA_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    before = build_bundle(tmp_path)
    (tmp_path / "page.css").write_text((tmp_path / "page.css").read_text() + "\n.x{color:red}")
    after_css = build_bundle(tmp_path)
    (tmp_path / "cart.js").write_text("export function start() {}\n")
    after_feature = build_bundle(tmp_path)
    assert 3 == len({before.sw_js, after_css.sw_js, after_feature.sw_js})
    assert 3 == len({before.version, after_css.version, after_feature.version})
    assert any(url.startswith("/static/cart.") for url in after_feature.assets)
    # the app shell module learns the feature module's hashed URL
    cart_url = next(url for url in after_feature.assets if url.startswith("/static/cart."))
    assert cart_url in after_feature.assets[after_feature.shell.app_js_url].body.decode()


def _shell_files(path, **modules: str) -> None:
    """A minimal pwa/ in ``path`` plus the given modules (name without .js → source)."""
    (path / "app.js").write_text('const ASSETS = /*ASSETS*/{}/*END*/;\n')
    (path / "sw.js").write_text("// worker\n")
    (path / "page.css").write_text("a{color:red}")
    for name, source in modules.items():
        (path / f"{name}.js").write_text(source)


def _js(bundle, name: str) -> tuple[str, str]:
    url = next(u for u in bundle.assets if re.fullmatch(rf"/static/{name}\.[0-9a-f]{{12}}\.js", u))
    return url, bundle.assets[url].body.decode()


def test_relative_imports_become_hashed_urls_and_a_dependency_change_renames_its_importers(tmp_path):
    _shell_files(
        tmp_path,
        dom='export const el = () => 1;\n',
        money="export const money = () => 2;\n",
        page='import { el } from "./dom.js";\nexport { money } from \'./money.js\';\nimport("./dom.js");\nexport function start() {}\n',
    )
    before = build_bundle(tmp_path)
    dom_url, _ = _js(before, "dom")
    money_url, _ = _js(before, "money")
    page_url, page = _js(before, "page")
    expected = f'import {{ el }} from "{dom_url}";\nexport {{ money }} from \'{money_url}\';\nimport("{dom_url}");\nexport function start() {{}}\n'
    assert expected == page
    app = before.assets[before.shell.app_js_url].body.decode()
    assert [page_url] == json.loads(re.search(r'"features": (\[[^\]]*\])', app).group(1))  # imported modules are not features
    assert sorted([dom_url, money_url]) == json.loads(re.search(r'"preload": (\[[^\]]*\])', app).group(1))
    precached = re.findall(r'"url": "([^"]+)"', re.search(r"const PRECACHE = (\[.*\]);", before.sw_js.decode()).group(1))
    assert {dom_url, money_url, page_url} <= set(precached)

    (tmp_path / "dom.js").write_text("export const el = () => 3;\n")
    after = build_bundle(tmp_path)
    assert (False, True, False) == (_js(after, "dom")[0] == dom_url, _js(after, "money")[0] == money_url, _js(after, "page")[0] == page_url)
    assert _js(after, "dom")[0] in _js(after, "page")[1]


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        pytest.param({"page": 'import { el } from "./dom.js";\n'}, "pwa/page.js imports ./dom.js, which is not a module in pwa/", id="missing"),
        pytest.param({"a": 'import "./b.js";\n', "b": 'import "./a.js";\n'}, "pwa/ import cycle: a.js -> b.js -> a.js", id="cycle"),
    ],
)
def test_an_import_the_bundle_cannot_resolve_fails_the_build(tmp_path, modules, message):
    _shell_files(tmp_path, **modules)
    with pytest.raises(ValueError) as error:
        build_bundle(tmp_path)
    assert message == str(error.value)


@pytest.fixture
def photographed(fresh_db, settings):
    """A product with one photo-like image (WebP and JPEG variants built)."""
    import io
    import random

    from catalog.demo import render_photo
    from media.ingest import ingest_original

    buf = io.BytesIO()
    render_photo(random.Random(5), size=(960, 720)).save(buf, "JPEG", quality=90)
    image_id = ingest_original(fresh_db, settings.data_dir, buf.getvalue(), name="p.jpg", max_bytes=10_000_000,
                               max_pixels=10_000_000, formats=("webp", "jpg"))
    add_product(fresh_db, "PIC-1", name="Pictured", images=[image_id])
    return image_id


def _inline(html: str) -> tuple[str, int]:
    match = re.search(r'<figure class="hero"[^>]*><img src="data:image/(\w+);base64,([A-Za-z0-9+/=]+)"', html)
    assert match, html[:2000]
    return match.group(1), len(match.group(2)) * 3 // 4


def test_first_image_is_inline_and_follows_format_screen_and_save_data(client, photographed):
    webp_2x = client.get("/p/PIC-1", headers={"Accept": "text/html,image/webp,*/*", "Sec-CH-UA-Mobile": "?1"})
    jpeg_1x = client.get("/p/PIC-1", headers={"Accept": "text/html", "Sec-CH-DPR": "1"})
    saving = client.get("/p/PIC-1", headers={"Accept": "text/html,image/webp,*/*", "Save-Data": "on"})
    fmt_2x, bytes_2x = _inline(webp_2x.text)
    fmt_1x, bytes_1x = _inline(jpeg_1x.text)
    fmt_saving, bytes_saving = _inline(saving.text)
    assert ("webp", "jpeg", "webp") == (fmt_2x, fmt_1x, fmt_saving)
    assert bytes_saving < bytes_2x and bytes_saving <= 7_000
    assert f"/media/{photographed}/640.webp 640w" in webp_2x.text  # larger widths offered for app.js
    assert "background-image:url(data:image/webp;base64," in webp_2x.text  # the placeholder behind it
    vary = [{v.strip() for v in response.headers["vary"].split(",")} for response in (webp_2x, jpeg_1x, saving)]
    assert [set(), set(), set()] == [{"Accept", "Save-Data", "Sec-CH-DPR", "ECT"} - varied for varied in vary]
    compressed = client.get("/p/PIC-1", headers={"Accept": "text/html,image/webp,*/*", "Sec-CH-UA-Mobile": "?1",
                                                 "Accept-Encoding": "br"})
    assert int(compressed.headers["content-length"]) <= 30_000


def test_listing_thumbnails_are_small_lazy_variants(client, photographed):
    html = client.get("/", headers={"Accept": "text/html,image/webp,*/*"}).text
    assert f'src="/media/{photographed}/160.webp"' in html
    assert "960.webp" not in html
