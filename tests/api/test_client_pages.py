"""The client-rendered shell pages: same bytes for everyone, the app shell module, a mount, ETag revalidation."""

import pytest

PAGES = [
    ("/cart", "cart", "lm-cart"),
    ("/signin", "signin", "lm-signin"),
    ("/points", "points", "lm-loyalty"),
    ("/mall", "mall", "lm-loyalty"),
    ("/orders", "orders", "lm-loyalty"),
]


@pytest.mark.parametrize(("path", "page", "mount"), PAGES)
def test_shell_page_has_its_mount_and_the_app_shell(client, path, page, mount):
    response = client.get(path)
    assert 200 == response.status_code
    assert response.headers["content-type"].startswith("text/html")
    assert "no-cache" == response.headers["cache-control"]
    html = response.text
    assert f'data-page="{page}"' in html
    assert f'<main id="{mount}">' in html
    assert '<script type="module" src="/static/app.' in html
    assert "<noscript>" in html


def test_shell_page_revalidates_with_its_etag(client):
    first = client.get("/cart")
    again = client.get("/cart", headers={"If-None-Match": first.headers["etag"]})
    assert 304 == again.status_code
    assert b"" == again.content


def test_sync_modules_are_in_the_bundle_and_the_service_worker_imports_the_store(client):
    from server.pages.assets import bundle_for

    bundle = bundle_for()
    urls = [url for url in bundle.assets if url.startswith("/static/sync-")]
    assert 2 == len(urls)  # sync-client.<hash>.js and sync-store.<hash>.js
    store_url = next(url for url in urls if url.startswith("/static/sync-store."))
    sw = client.get("/sw.js").text
    assert store_url in sw  # precached, so the worker's importScripts finds it offline
    assert "importScripts(PRECACHE.find(" in sw
    assert 200 == client.get(store_url).status_code
