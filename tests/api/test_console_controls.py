"""The console's controls over HTTP: campaign builder (holdout, preview, activate, report), reward refusals,
dashboard windows, Secure cookies behind https, sign-in rate limits."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from loyalty import service as loyalty_service
from loyalty.models import RewardInput
from retention import audience_store, campaign_store
from retention.config import RetentionConfig
from retention.demo_calendar import seed_holidays
from retention.planner import enqueue_message, get_campaign
from tests.operator_support import PASSWORD, code, console_sign_in, csrf_of, make_operator
from tests.push_subscriptions import ensure_shopper
from tests.utils import sign_up


def score(user_id: int, segment: str) -> dict:
    return {"user_id": user_id, "recency": 5, "frequency": 4, "monetary": 3, "segment": segment,
            "days_since_activity": 2, "orders": 5, "revenue": 30000, "discounted_share": 0.2, "views": 3}


def test_a_marketer_builds_previews_activates_and_reads_a_campaign(client, fresh_db):
    for user_id in (1, 2, 3):
        ensure_shopper(fresh_db, user_id)
    with fresh_db.write() as db:
        audience_store.save_scores(db, [score(1, "loyal"), score(2, "loyal"), score(3, "churn_risk")],
                                   "2026-06-10T00:00:00.000000Z")
    csrf = console_sign_in(client, fresh_db, "mk@example.com", "marketer")
    preview = client.get("/admin/campaigns?segment=loyal").text
    assert "2 shoppers" in re.search(r'<p role="status" id="audience-size">([^<]+)</p>', preview).group(1)
    # One variant and a holdout: an A/B test against those who get nothing.
    made = client.post("/admin/campaigns", data={"csrf": csrf, "name": "Loyal thanks", "trigger": "segment",
                                                 "segment": "loyal", "A_template": "segment", "A_weight": "1",
                                                 "holdout": "20"}, follow_redirects=False)
    assert (303, "/admin/campaigns?done=created") == (made.status_code, made.headers["location"])
    with fresh_db.write() as db:
        campaign = get_campaign(db, 1)
    assert (20, False, "loyal") == (campaign.holdout, campaign.active, campaign.segment)
    on = client.post("/admin/campaigns/1/active", data={"csrf": csrf, "active": "1"}, follow_redirects=False)
    assert 303 == on.status_code
    with fresh_db.write() as db:
        assert get_campaign(db, 1).active
        for user_id in (1, 2):
            enqueue_message(db, user_id=user_id, trigger="segment", dedupe="s", context={}, campaign=get_campaign(db, 1),
                            now=datetime.now(timezone.utc), config=RetentionConfig())
    page = client.get("/admin/campaigns").text
    report = page[page.index("Results per variant"):]
    assert "Loyal thanks" in report and "Lift p-value" in report and "p &lt; 0.05" in report
    bad = client.post("/admin/campaigns", data={"csrf": csrf, "name": "x", "trigger": "segment", "segment": "loyal",
                                                "A_template": "segment", "holdout": "80"})
    assert 422 == bad.status_code and "0 to 50" in bad.text
    zh = client.get("/admin/campaigns", headers={"Accept-Language": "zh-CN"}).text
    assert "对照组" in zh and "提升 p 值" in zh


def test_the_report_names_the_trigger_messages_row_in_the_operators_language(client, fresh_db):
    """Campaign 0 (messages of triggers with no campaign) is the console's own row, so its name is a text."""
    ensure_shopper(fresh_db, 1)
    console_sign_in(client, fresh_db, "mk@example.com", "marketer")
    with fresh_db.write() as db:
        enqueue_message(db, user_id=1, trigger="churn_risk", dedupe="c", context={}, campaign=None,
                        now=datetime.now(timezone.utc), config=RetentionConfig())
    en = client.get("/admin/campaigns").text
    zh = client.get("/admin/campaigns", headers={"Accept-Language": "zh-CN"}).text
    assert "Trigger messages (no campaign)" in en and "(triggers)" not in en
    assert "触发消息（无活动）" in zh and "(triggers)" not in zh


def _holiday_cells(html: str) -> dict[str, str]:
    """The campaign list's name -> holiday cell."""
    listing = html[html.index("<tbody>"):html.index("</tbody>")]
    return {m.group(1): m.group(2) for m in re.finditer(r"<tr><td class=\"num\">\d+</td><td>([^<]*)</td><td>[^<]*</td>"
                                                         r"<td>[^<]*</td><td>([^<]*)</td>", listing)}


def test_the_builder_sets_a_campaigns_holiday_shows_it_and_refuses_what_the_api_refuses(client, fresh_db):
    with fresh_db.write() as db:
        campaign_store.put_holiday(db, "618", "618", "2026-06-18", 3)
        campaign_store.put_holiday(db, "double11", "Double 11", "2026-11-11", 5)
    csrf = console_sign_in(client, fresh_db, "mk@example.com", "marketer")
    page = client.get("/admin/campaigns").text
    field = re.search(r'<label for="c-holiday">([^<]+)</label><select id="c-holiday" name="holiday"[^>]*>(.*?)</select>',
                      page)
    assert "Holiday (holiday calendar trigger only)" == field.group(1)
    assert [("", "any holiday"), ("618", "618 (618)"), ("double11", "Double 11 (double11)")] == re.findall(
        r'<option value="([^"]*)">([^<]*)</option>', field.group(2))
    zh = client.get("/admin/campaigns", headers={"Accept-Language": "zh-CN"}).text
    assert '<label for="c-holiday">节日（仅限节日日历触发）</label>' in zh and '<option value="">任意节日</option>' in zh

    def build(name: str, trigger: str, holiday: str):
        return client.post("/admin/campaigns", follow_redirects=False, data={
            "csrf": csrf, "name": name, "trigger": trigger, "holiday": holiday, "A_template": "holiday",
            "A_weight": "1", "holdout": "10"})

    assert 303 == build("Mid-year", "holiday", "618").status_code
    assert 303 == build("Every holiday", "holiday", "").status_code
    assert 303 == build("Churn", "churn_risk", "").status_code
    assert ["618", None, None] == [get_campaign(fresh_db.read(), i).holiday for i in (1, 2, 3)]
    assert {"Mid-year": "618 (618)", "Every holiday": "any holiday", "Churn": "—"} == _holiday_cells(
        client.get("/admin/campaigns").text)
    assert {"Mid-year": "618 (618)", "Every holiday": "任意节日", "Churn": "—"} == _holiday_cells(
        client.get("/admin/campaigns", headers={"Accept-Language": "zh-CN"}).text)
    # What the API refuses the form refuses, with the reason inline and nothing stored: a holiday on another
    # trigger, and a key outside the calendar keys' pattern.
    for trigger, holiday in (("churn_risk", "618"), ("holiday", "Double 11!")):
        refused = build("Wrong", trigger, holiday)
        assert (422, True) == (refused.status_code, 'role="alert"' in refused.text and "holiday" in refused.text)
    assert 3 == len(campaign_store.list_campaigns(fresh_db.read()))


def test_holiday_names_read_in_the_operators_language_and_an_operators_own_name_as_given(client, fresh_db):
    with fresh_db.write() as db:
        seed_holidays(db, date(2026, 1, 1))  # 618, Double 11 and Spring Festival, named in English
        campaign_store.put_holiday(db, "mid_autumn", "Mooncake day", "2026-09-25", 3)
    csrf = console_sign_in(client, fresh_db, "mk@example.com", "marketer")
    assert 303 == client.post("/admin/campaigns", follow_redirects=False, data={
        "csrf": csrf, "name": "New year", "trigger": "holiday", "holiday": "spring_festival", "A_template": "holiday",
        "A_weight": "1", "holdout": "10"}).status_code

    def holiday_options(html: str) -> dict[str, str]:
        field = re.search(r'<select id="c-holiday" name="holiday"[^>]*>(.*?)</select>', html).group(1)
        return dict(re.findall(r'<option value="([^"]+)">([^<]*)</option>', field))

    en = client.get("/admin/campaigns").text
    zh = client.get("/admin/campaigns", headers={"Accept-Language": "zh-CN"}).text
    assert {"spring_festival": "Spring Festival (spring_festival)", "618": "618 (618)",
            "mid_autumn": "Mooncake day (mid_autumn)", "double11": "Double 11 (double11)"} == holiday_options(en)
    assert {"spring_festival": "春节 (spring_festival)", "618": "618 (618)", "mid_autumn": "Mooncake day (mid_autumn)",
            "double11": "双十一 (double11)"} == holiday_options(zh)
    assert ({"New year": "Spring Festival (spring_festival)"}, {"New year": "春节 (spring_festival)"}) == (
        _holiday_cells(en), _holiday_cells(zh))
    assert "Spring Festival" not in zh and "Double 11" not in zh
    help_zh = re.search(r'<p class="muted" id="c-holiday-help">([^<]*)</p>', zh).group(1)
    assert "双十一" in help_zh and "双 11" not in help_zh     # the help names Double 11 as the list does


def _alert(html: str) -> str:
    """The refusal's reason the console shows."""
    return re.search(r'<p class="warn" role="alert">([^<]*)</p>', html).group(1)


@pytest.mark.parametrize("change, english, chinese", [
    ({"holiday": "618"}, "only be chosen with the holiday calendar trigger", "只有节日日历触发条件才能选择节日"),
    ({"trigger": "holiday", "A_template": "holiday", "holiday": "Double 11!"}, "Check “Holiday", "请检查“节日"),
    ({"holdout": "0"}, "An A/B test needs two variants", "A/B 测试需要两个版本"),
    ({"A_template": "nope"}, "Variant A: there is no template nope.", "版本 A：没有模板 nope。"),
    ({"A_template": "churn_risk.winback"}, "uses {code}, {discount}, {expires_on}, which only an offer fills",
     "模板 churn_risk.winback 使用了 {code}, {discount}, {expires_on}，只有优惠才能填入"),
    ({"trigger": "segment"}, "A segment campaign needs its audience", "人群活动需要指定目标人群"),
    ({"A_template": "Not A Key"}, "Check “Variant A”", "请检查“版本 A”"),
])
def test_the_builders_refusals_read_in_the_operators_language(client, fresh_db, change, english, chinese):
    csrf = console_sign_in(client, fresh_db, "mk@example.com", "marketer")
    form = {"csrf": csrf, "name": "Wrong", "trigger": "churn_risk", "A_template": "churn_risk", "A_weight": "1",
            "holdout": "10", **change}
    en = client.post("/admin/campaigns", data=form)
    zh = client.post("/admin/campaigns", data=form, headers={"Accept-Language": "zh-CN"})
    assert (422, 422) == (en.status_code, zh.status_code)
    assert english in _alert(en.text)
    # The domain's English detail (or msgspec's) never reaches a zh-CN page: no two English words in a row.
    assert chinese in _alert(zh.text) and not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", _alert(zh.text)), _alert(zh.text)
    assert [] == campaign_store.list_campaigns(fresh_db.read())


def test_switching_an_unknown_campaign_says_so_in_the_operators_language(client, fresh_db):
    csrf = console_sign_in(client, fresh_db, "mk@example.com", "marketer")
    zh = client.post("/admin/campaigns/999/active", data={"csrf": csrf, "active": "1"},
                     headers={"Accept-Language": "zh-CN"})
    assert (404, "未保存：没有编号为 999 的活动。") == (zh.status_code, _alert(zh.text))


REWARD = {"id": "mug", "name": "Mug", "kind": "coupon", "pointsCost": "100", "stock": "5", "value": "500",
          "currency": "EUR", "sku": ""}


def _stored_reward(database, reward_id: str, **tier_costs: int) -> None:
    loyalty_service.create_reward(database, RewardInput(id=reward_id, name="Tote", kind="coupon", points_cost=100,
                                                        stock=5, value=500, currency="EUR", **tier_costs))


@pytest.mark.parametrize("path, change, stored, status, english, chinese", [
    ("/admin/rewards", {"value": "0"}, None, 422, "A coupon reward needs a value above zero and a currency",
     "优惠券类奖励需要大于零的面值和币种"),
    ("/admin/rewards", {"kind": "product", "value": "0"}, None, 422, "A product reward needs a product SKU",
     "商品类奖励需要商品编号"),
    ("/admin/rewards", {"kind": "product", "value": "0", "sku": "NO-SUCH-SKU"}, None, 422,
     "There is no product NO-SUCH-SKU in the catalog.", "商品目录中没有商品 NO-SUCH-SKU。"),
    ("/admin/rewards", {}, {}, 422, "A reward with the id mug exists already.", "编号为 mug 的奖励已存在。"),
    ("/admin/rewards", {"id": "Not An Id"}, None, 422, "Check “Id”", "请检查“编号”"),
    ("/admin/rewards", {"pointsCost": "0"}, None, 422, "Check “Points”", "请检查“所需积分”"),
    ("/admin/rewards", {"stock": "2000000"}, None, 422, "Check “Stock”", "请检查“库存”"),
    ("/admin/rewards", {"currency": "euro"}, None, 422, "Check “Currency”", "请检查“币种”"),
    ("/admin/rewards/nope", {}, None, 404, "There is no reward nope.", "没有编号为 nope 的奖励。"),
    ("/admin/rewards/mug", {"pointsCost": "50"}, {"gold_cost": 80}, 422,
     "(80 points) cannot be above the points price (50)", "黄金会员价（80 积分）不能高于积分价（50）"),
    ("/admin/rewards/mug", {"pointsCost": "50"}, {"diamond_cost": 90}, 422,
     "(90 points) cannot be above the gold members", "钻石会员价（90 积分）不能高于黄金会员价或积分价（50）"),
])
def test_the_reward_refusals_read_in_the_operators_language(client, fresh_db, path, change, stored, status, english,
                                                           chinese):
    if stored is not None:
        _stored_reward(fresh_db, "mug", **stored)
    before = loyalty_service.rewards(fresh_db, active_only=False)
    csrf = console_sign_in(client, fresh_db, "m@example.com", "merchandiser")
    edit = {"pointsCost": "100", "stock": "5", "active": "1"}
    form = {"csrf": csrf, **(REWARD if path == "/admin/rewards" else edit), **change}
    en = client.post(path, data=form)
    zh = client.post(path, data=form, headers={"Accept-Language": "zh-CN"})
    assert (status, status) == (en.status_code, zh.status_code)
    assert english in _alert(en.text), _alert(en.text)
    # The loyalty room's English detail (or msgspec's) never reaches a zh-CN page: no two English words in a row.
    assert chinese in _alert(zh.text) and not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", _alert(zh.text)), _alert(zh.text)
    assert before == loyalty_service.rewards(fresh_db, active_only=False)  # nothing stored or changed


def test_the_rewards_api_keeps_its_english_detail_and_names_the_code(client, admin_headers):
    body = {"id": "mug", "name": "Mug", "kind": "coupon", "pointsCost": 100, "stock": 5, "value": 0, "currency": "EUR"}
    refused = client.post("/api/admin/rewards", json=body, headers=admin_headers)
    assert 422 == refused.status_code
    problem = refused.json()
    assert ("/problems/bad-order-input", "a coupon reward needs a positive value and a currency, and no sku") == (
        problem["type"], problem["detail"])
    assert [{"line": "reward", "message": "coupon-needs-value"}] == problem["errors"]  # the code the console translates


@pytest.mark.parametrize("days", [30, 90])
def test_the_dashboard_shows_30_or_90_days(client, fresh_db, days):
    console_sign_in(client, fresh_db, "o@example.com", "owner")
    html = client.get(f"/admin?days={days}").text
    orders = html[html.index('id="chart-orders"'):]
    table = orders[orders.index("<tbody>"):orders.index("</tbody>")]
    assert days == table.count("<tr>")


@pytest.mark.parametrize(("proto", "secure"), [(None, False), ("https", True)])
def test_console_cookies_are_secure_behind_https(client, fresh_db, proto, secure):
    uri = make_operator(fresh_db, "o@example.com", "owner")
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    page = client.get("/admin/signin", headers=headers)
    # The browser (on https) sends the Secure sign-in cookie back; the test client, on http, would not.
    csrf = csrf_of(page.text)
    client.cookies.clear()
    answer = client.post("/admin/signin", headers=headers | {"Cookie": f"lm_console_signin={csrf}"},
                         follow_redirects=False,
                         data={"csrf": csrf, "email": "o@example.com", "password": PASSWORD,
                               "code": code(uri), "next": "/admin"})
    assert 303 == answer.status_code
    cookies = [c.lower() for c in page.headers.get_list("set-cookie") + answer.headers.get_list("set-cookie")]
    session = [c for c in cookies if c.startswith("lm_console=")]
    assert 1 == len(session) and all("httponly" in c and "samesite=strict" in c and "path=/admin" in c for c in cookies)
    assert [secure] * len(cookies) == ["; secure" in c for c in cookies]


def test_sign_in_is_rate_limited_per_account_over_http(client, fresh_db, settings):
    make_operator(fresh_db, "o@example.com", "owner")
    limit = settings.login_max_failures_per_account
    statuses = []
    for _ in range(limit + 1):
        page = client.get("/admin/signin")
        statuses.append(client.post("/admin/signin", data={"csrf": csrf_of(page.text), "email": "o@example.com",
                                                           "password": "wrong password!!", "code": "000000"}))
    assert [401] * limit + [429] == [r.status_code for r in statuses]
    assert int(statuses[-1].headers["retry-after"]) > 0
    assert 'role="alert"' in statuses[-1].text


def test_the_language_switch_is_kept_for_every_later_console_page(client, fresh_db):
    console_sign_in(client, fresh_db, "o@example.com", "owner")
    switched = client.get("/admin?lang=zh-CN")
    assert any(c.startswith("lm_console_lang=zh-CN") for c in switched.headers.get_list("set-cookie"))
    assert ['zh-CN', 'zh-CN'] == [re.search(r'<html lang="([^"]+)"', client.get(p).text).group(1)
                                  for p in ("/admin/push", "/admin/audit")]


def test_support_sees_a_shoppers_tier_points_segment_devices_and_consents_with_the_email_masked(client, fresh_db):
    from accounts import consents

    headers = sign_up(client, email="carla.shopper@example.com", device="Carla's phone")
    user_id = int(headers["X-Test-User"])
    with fresh_db.write() as db:
        audience_store.save_scores(db, [score(user_id, "loyal")], "2026-06-10T00:00:00.000000Z")
        consents.record(db, user_id, consents.ANALYTICS, True, 1_780_000_000_000)
        consents.record(db, user_id, consents.EMAIL, False, 1_780_000_100_000)
    client.cookies.clear()
    console_sign_in(client, fresh_db, "s@example.com", "support")
    html = client.get("/admin/shoppers", params={"q": "Carla.Shopper@example.com"}).text
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]
    assert "c***@example.com" in html and "carla.shopper" not in html
    for label, value in (("Tier", "silver"), ("Segment", "loyal"), ("analytics and segmentation", "yes"),
                         ("marketing email", "no (withdrawn)"), ("personalised offers", "no (never agreed)")):
        assert value.lower() == cells[cells.index(label) + 1].lower(), (label, cells)
    assert "Carla&#x27;s phone" in html or "Carla&#39;s phone" in html or "Carla's phone" in html
