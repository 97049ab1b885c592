"""The shop in zh-CN and en: the page's language from the lm_locale cookie or Accept-Language, `<html lang>`, texts
and prices per locale, the language switch, and the headers caches need (Vary, Content-Language)."""

import json

import pytest

from server.pages.assets import build_bundle
from tests.utils import add_product

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}


@pytest.mark.parametrize(
    ("headers", "cookies", "lang"),
    [
        ({}, {}, "en"),
        (ZH, {}, "zh-CN"),
        ({"Accept-Language": "en-GB,zh;q=0.8"}, {}, "en"),
        ({"Accept-Language": "fr-FR,zh-Hans;q=0.5"}, {}, "zh-CN"),
        (ZH, {"lm_locale": "en"}, "en"),
        ({}, {"lm_locale": "zh-CN"}, "zh-CN"),
        (ZH, {"lm_locale": "klingon"}, "zh-CN"),
    ],
    ids=["default", "accept-language", "q-order", "zh-hans", "cookie-wins", "cookie-only", "bad-cookie"],
)
def test_the_page_language_comes_from_the_cookie_then_accept_language(client, fresh_db, headers, cookies, lang):
    add_product(fresh_db, "TEA-1", name="Sencha", price=1290, category="tea")
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    response = client.get("/p/TEA-1", headers=headers)
    assert 200 == response.status_code
    assert f'<html lang="{lang}"' in response.text
    assert lang == response.headers["content-language"]
    vary = response.headers["vary"]
    assert "Accept-Language" in vary and "Cookie" in vary
    client.cookies.clear()


def test_a_zh_cn_reader_gets_every_shop_text_in_chinese(client, fresh_db):
    add_product(fresh_db, "TEA-1", name="Sencha", price=1290, stock=3, category="tea", currency="CNY")
    add_product(fresh_db, "TEA-2", name="Assam", price=990, stock=40, category="tea", currency="CNY")
    product = client.get("/p/TEA-1", headers=ZH).text
    for expected in ("仅剩 3 件", "全部商品", "搜索商品", "更多茶", "¥12.90", 'aria-label="导航路径"'):
        assert expected in product
    assert "CN¥" not in product and "Only a few left" not in product
    listing = client.get("/c/tea", headers=ZH).text
    assert "<h1>茶</h1>" in listing and "有货" in listing
    search = client.get("/?q=nothing-matches", headers=ZH).text
    assert "“nothing-matches”的搜索结果" in search and "这里还没有商品。" in search
    missing = client.get("/p/NOPE-1", headers=ZH)
    assert 404 == missing.status_code and "商店里没有商品 <b>NOPE-1</b>（可能已下架）。" in missing.text
    for path, heading in [("/cart", "购物车"), ("/signin", "登录"), ("/points", "我的积分"), ("/mall", "积分商城"),
                          ("/orders", "我的订单"), ("/offline", "您已离线")]:
        page = client.get(path, headers=ZH)
        assert f"<h1>{heading}</h1>" in page.text and '<html lang="zh-CN"' in page.text, path
        assert "zh-CN" == page.headers["content-language"]


def test_an_english_reader_sees_a_yuan_price_with_its_own_symbol(client, fresh_db):
    add_product(fresh_db, "TEA-1", name="Sencha", price=1290, category="tea", currency="CNY")
    assert "CN¥12.90" in client.get("/p/TEA-1").text


@pytest.mark.parametrize(
    ("referer", "location"),
    [
        ("http://testserver.local/p/TEA-1?x=1", "/p/TEA-1?x=1"),
        ("https://evil.example/steal", "/steal"),  # only the path is kept: never another origin
        ("//evil.example/x", "/x"),  # a scheme-relative referer: its path alone
        (None, "/"),
    ],
)
def test_choosing_a_language_sets_the_cookie_and_goes_back_on_this_site(client, referer, location):
    headers = {"Referer": referer} if referer else {}
    response = client.get("/lang/zh-CN", headers=headers, follow_redirects=False)
    assert 303 == response.status_code
    assert location == response.headers["location"]
    assert "lm_locale=zh-CN" in response.headers["set-cookie"]
    client.cookies.clear()


def test_an_unknown_language_is_a_404_problem_that_sets_nothing(client):
    response = client.get("/lang/fr", follow_redirects=False)
    assert 404 == response.status_code
    assert "en, zh-CN" in response.json()["detail"]
    assert "set-cookie" not in response.headers


def test_the_bundle_ships_each_locales_texts_and_offline_page_for_the_worker():
    bundle = build_bundle()
    texts = {url: json.loads(a.body) for url, a in bundle.assets.items() if "/texts-" in url}
    assert 2 == len(texts)
    by_lang = {("zh-CN" if "zh-CN" in url else "en"): body for url, body in texts.items()}
    assert "加入购物车" == by_lang["zh-CN"]["shop.actions.add"] and "Add to cart" == by_lang["en"]["shop.actions.add"]
    assert not any(key.startswith("console.") for key in by_lang["en"])  # the console's texts stay out
    sw = bundle.sw_js.decode()
    assert '"zh-CN": "/offline/zh-CN"' in sw and "/offline/zh-CN" in bundle.assets
    assert "您已离线" in bundle.assets["/offline/zh-CN"].body.decode()
    assert all(url in sw for url in texts)  # precached: the texts load offline
