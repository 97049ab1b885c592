"""Search suggestions cost the first response nothing: they are a feature module loaded after first paint."""

from __future__ import annotations

import shutil

from server.pages import html as page_html
from server.pages.assets import PWA_DIR, build_bundle


def test_the_suggestions_module_adds_no_byte_to_a_page_and_loads_after_first_paint(tmp_path):
    without = tmp_path / "pwa"
    shutil.copytree(PWA_DIR, without, ignore=shutil.ignore_patterns("suggest.js"))
    with_it, bare = build_bundle(PWA_DIR), build_bundle(without)

    def page(bundle) -> bytes:
        return page_html.document(bundle.shell, title="T", body="<main><h1>T</h1></main>").encode()

    assert len(page(bare)) == len(page(with_it))
    assert bare.shell.css == with_it.shell.css
    suggest = [url for url in with_it.assets if url.startswith("/static/suggest.")]
    assert 1 == len(suggest)
    app_js = with_it.assets[with_it.shell.app_js_url].body.decode()
    assert '"features": [' in app_js and suggest[0] in app_js.split('"features": [')[1].split("]")[0]
    assert suggest[0].encode() not in page(with_it)
