"""pwa/dom.js on its own: el() and fill() leave out absent children (never the text "null"), waitFor()."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_el_sets_attributes_dataset_listeners_and_leaves_out_absent_values(module_page):
    html, clicks = module_page.evaluate(
        """async () => {
          const { el } = await lm.load("dom");
          let clicks = 0;
          const node = el("button", { type: "button", disabled: true, hidden: false, title: null, dataset: { sku: "A-1" }, onclick: () => clicks++ },
                          "Add", null, undefined, false, ["", 0]);
          const html = node.outerHTML;
          node.disabled = false;
          node.click();
          return [html, clicks];
        }"""
    )
    assert ('<button type="button" disabled="" data-sku="A-1">Add0</button>', 1) == (html, clicks)


@pytest.mark.parametrize("absent", ["null", "undefined", "false"])
def test_fill_replaces_children_without_printing_absent_ones(module_page, absent):
    html = module_page.evaluate(
        f"""async () => {{
          const {{ el, fill }} = await lm.load("dom");
          const box = el("div", {{}}, "old");
          fill(box, el("p", {{}}, "a"), {absent}, [el("b", {{}}, "b"), {absent}], "c");
          return box.innerHTML;
        }}"""
    )
    assert "<p>a</p><b>b</b>c" == html


def test_wait_for_gives_the_global_once_set_and_null_after_the_deadline(module_page):
    found, missing = module_page.evaluate(
        """async () => {
          const { waitFor } = await lm.load("dom");
          setTimeout(() => (self.lmLater = "here"), 50);
          return [await waitFor("lmLater", 2000), await waitFor("lmNever", 100)];
        }"""
    )
    assert ("here", None) == (found, missing)
