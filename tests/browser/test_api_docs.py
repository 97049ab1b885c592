"""`/schema` renders the API description in a real Chromium with every request going to this server (no CDN)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_the_api_viewer_renders_with_no_request_leaving_the_server(browser, bare_server):
    context = browser.new_context(service_workers="block")
    outside: list[str] = []

    def only_ours(route):
        if route.request.url.startswith(bare_server.url + "/") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_ours)
    try:
        page = context.new_page()
        page.goto(f"{bare_server.url}/schema")
        page.wait_for_selector(".opblock", timeout=20_000)  # the operations, drawn from the inlined description
        assert page.locator(".opblock").count() > 20
        assert "Lastmile" in page.locator(".info .title").inner_text()
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert [] == outside
    assert "GET /schema/assets/swagger-ui-bundle.js?v=" in " ".join(bare_server.requests)
