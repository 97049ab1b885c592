"""Email as push's fallback, against a real SMTP server (aiosmtpd on 127.0.0.1): who gets mail, in which language,
with which headers; the unsubscribe link end to end; consent, caps and quiet hours; push first."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from accounts import consents
from accounts import store as accounts_store
from accounts.consents import EMAIL, PURPOSES
from clock import iso
from retention import audience_store, campaign_store, email_store, push_store
from retention.config import RetentionConfig
from retention.delivery import PushSender
from retention.models import TemplateIn
from retention.planner import save_template
from retention.email_delivery import EmailSender, deliver_email_due
from retention.run import run_retention
from retention.segments import ShopperFacts
from retention.tracking import report as funnel_report
from retention.unsubscribe import MAX_TOKEN, token_for
from server.push_runtime import email_text
from sync import consent
from sync import store as sync_store
from tests.push_subscriptions import subscribe
from tests.smtp_server import SmtpServer
from tests.utils import parse_html, point_cli_at, sign_up

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
AGREED = frozenset(PURPOSES)
SHOP = "http://shop.test"


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 and a free port, for this test."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def config():
    return RetentionConfig(quiet_hours=(0, 0), cap_per_day=10, cap_per_week=50, email=True, public_url=SHOP,
                           email_text=email_text)


@pytest.fixture
def mailer(smtp):
    return EmailSender(smtp.url, "Lastmile <shop@lastmile.test>", clock=lambda: NOW)


def shopper(database, email: str, purposes=PURPOSES, *, locale: str | None = None) -> int:
    """A shopper with this address who agreed to ``purposes`` (stored as the consent mutation stores them)."""
    with database.write() as db:
        user_id = accounts_store.create_user(db, email, "not-a-hash", 0)
        for purpose in purposes:
            consent.record(db, user_id, purpose, True, 1_000)
        if locale:
            audience_store.upsert_profile(db, user_id, iso(NOW), locale=locale)
    return user_id


def lapsed(user_id: int, consented=AGREED) -> ShopperFacts:
    """Facts that fire the churn-risk trigger (one message, the library's `churn_risk` template)."""
    return ShopperFacts(user_id=user_id, last_activity=NOW - timedelta(days=200), consents=consented)


def everything(user_id: int) -> ShopperFacts:
    """Facts that fire six triggers at once."""
    return ShopperFacts(
        user_id=user_id, last_activity=NOW - timedelta(days=120), cart=[("SKU-1", NOW - timedelta(days=120))],
        birthday="06-10", tier="gold", points_expiring=[(100, NOW + timedelta(days=3))], wishlist_prices={"SKU-2": 800},
        consents=AGREED,
    )


def provider_of(*facts: ShopperFacts):
    def provider(db, after, limit, now):
        return [f for f in sorted(facts, key=lambda f: f.user_id) if f.user_id > after][:limit]
    return provider


def run(database, config, mailer, *facts: ShopperFacts, at: datetime = NOW):
    """Plan these shoppers at ``at``, then send the emails due then."""
    run_retention(database, config, at, provider_of(*facts))
    return deliver_email_due(database, mailer, now=at)


def test_a_shopper_without_push_gets_the_message_by_email(fresh_db, smtp, config, mailer):
    user_id = shopper(fresh_db, "ada@example.com")
    report = run(fresh_db, config, mailer, lapsed(user_id))
    assert 1 == report.sent
    [mail] = smtp.received
    message = mail.message
    assert (["ada@example.com"], "shop@lastmile.test") == (mail.rcpt_tos, mail.mail_from)
    assert ("We miss you", "en", "Lastmile <shop@lastmile.test>") == (
        message["Subject"], message["Content-Language"], message["From"])
    link = f"{SHOP}/unsubscribe?token={token_for(user_id)}"
    assert (f"<{link}>", "List-Unsubscribe=One-Click") == (message["List-Unsubscribe"], message["List-Unsubscribe-Post"])
    assert "multipart/alternative" == message.get_content_type()
    assert ["text/plain", "text/html"] == [part.get_content_type() for part in message.iter_parts()]
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("Come back and see what is new.")
    assert f"Open it in the shop: {SHOP}/" in body and f"Unsubscribe (one click, no sign-in): {link}" in body
    page = parse_html(message.get_body(("html",)).get_content())
    assert ("en", "We miss you", ["We miss you"], ["Come back and see what is new."]) == (
        page.lang, page.title, page.headings, page.paragraphs[:1])
    assert [(f"{SHOP}/", "Open it in the shop"), (link, "Unsubscribe (one click, no sign-in)")] == page.links
    [row] = email_store.outbox_rows(fresh_db.read(), user_id)
    assert ("sent", 1) == (row["state"], row["attempts"])
    assert "ada@example.com" not in repr(row)  # the address is unsealed at send time only, never queued
    [funnel] = funnel_report(fresh_db.read())  # the report counts an email like a push
    assert (1, 1, 1) == (funnel.messages, funnel.sent, funnel.accepted)


def test_the_shoppers_locale_picks_the_template_text(fresh_db, smtp, config, mailer):
    by_profile = shopper(fresh_db, "li@example.com", locale="zh-CN")
    by_pref = shopper(fresh_db, "wang@example.com")
    with fresh_db.write() as db:
        sync_store.put_view(db, by_pref, "prefs/locale", "zh-CN")
    run(fresh_db, config, mailer, lapsed(by_profile), lapsed(by_pref))
    assert 2 == len(smtp.received)
    for mail in smtp.received:
        assert ("好久不见", "zh-CN") == (mail.message["Subject"], mail.message["Content-Language"])
        body = mail.message.get_body(("plain",)).get_content()
        assert "回来看看有什么新品吧。" in body and "退订（一键完成，无需登录）" in body
        page = parse_html(mail.message.get_body(("html",)).get_content())
        assert ("zh-CN", ["好久不见"], ["在商店中查看", "退订（一键完成，无需登录）"]) == (
            page.lang, page.headings, [text for _, text in page.links])
        assert "回来看看有什么新品吧。" == page.paragraphs[0]


def test_the_html_part_escapes_what_the_template_and_its_values_hold(fresh_db, smtp, config, mailer):
    # An operator's template (it replaces the library's) with markup in every field: it must arrive as text.
    with fresh_db.write() as db:
        save_template(db, TemplateIn(key="churn_risk", locale="en", title='Tea & "biscuits" <b>now</b>',
                                     body="<script>alert(1)</script>\nline two\n\nA & B's <img src=x onerror=y>",
                                     url='/c/tea"><script>x</script>'))
    user_id = shopper(fresh_db, "markup@example.com")
    run(fresh_db, config, mailer, lapsed(user_id))
    [mail] = smtp.received
    html = mail.message.get_body(("html",)).get_content()
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    page = parse_html(html)
    assert ['Tea & "biscuits" <b>now</b>'] == page.headings  # shown as written, not interpreted
    assert ["<script>alert(1)</script>\nline two", "A & B's <img src=x onerror=y>"] == page.paragraphs[:2]
    assert f'{SHOP}/c/tea"><script>x</script>' == page.links[0][0]  # the quote did not end the attribute
    assert 'Tea & "biscuits" <b>now</b>' == mail.message["Subject"]


def test_a_variant_whose_offer_ran_out_sends_the_triggers_own_text(fresh_db, smtp, config, mailer):
    from retention.models import CampaignIn, OfferIn, Variant
    from retention.offers import create_offer
    from retention.planner import create_campaign

    with fresh_db.write() as db:
        offer = create_offer(db, OfferIn(code="BACK10", title="Welcome back", kind="percent", value=10,
                                         expires_at=iso(NOW + timedelta(days=1)), budget=100_000), NOW)
        winback = [Variant(name=arm, template_key="churn_risk.winback", offer_id=offer.id) for arm in ("A", "B")]
        create_campaign(db, CampaignIn(name="Win back", trigger="churn_risk", variants=winback))
    early, late = shopper(fresh_db, "early@example.com"), shopper(fresh_db, "late@example.com")
    run(fresh_db, config, mailer, lapsed(early))
    run(fresh_db, config, mailer, lapsed(late), at=NOW + timedelta(days=2))  # the offer has expired
    subjects = {m.rcpt_tos[0]: m.message["Subject"] for m in smtp.received}
    assert {"early@example.com": "10% to welcome you back", "late@example.com": "We miss you"} == subjects
    late_body = [m for m in smtp.received if m.rcpt_tos == ["late@example.com"]][0].message.get_body(("plain",))
    assert late_body.get_content().startswith("Come back and see what is new.")  # not "Your code  is waiting"


def test_an_email_queued_before_html_parts_goes_as_plain_text(fresh_db, smtp, config, mailer):
    user_id = shopper(fresh_db, "old@example.com")
    run_retention(fresh_db, config, NOW, provider_of(lapsed(user_id)))
    with fresh_db.write() as db:
        db.execute("UPDATE email_outbox SET html = NULL")  # what migration 10 leaves on rows queued before it
    assert 1 == deliver_email_due(fresh_db, mailer, now=NOW).sent
    message = smtp.received[0].message
    assert ("text/plain", "en") == (message.get_content_type(), message["Content-Language"])
    assert message.get_content().startswith("Come back and see what is new.")


@pytest.mark.parametrize("purposes", [
    [p for p in PURPOSES if p != EMAIL],         # no email consent: push's fallback stays shut
    [p for p in PURPOSES if p != "offers"],      # no offers consent: no message at all
])
def test_a_shopper_without_consent_gets_nothing(fresh_db, smtp, config, mailer, purposes):
    user_id = shopper(fresh_db, "no@example.com", purposes)
    report = run(fresh_db, config, mailer, lapsed(user_id, frozenset(purposes)))
    assert (0, [], []) == (report.sent, smtp.received, email_store.outbox_rows(fresh_db.read()))


def test_without_an_smtp_url_nothing_is_queued(fresh_db, smtp, mailer):
    user_id = shopper(fresh_db, "ada@example.com")
    run(fresh_db, RetentionConfig(quiet_hours=(0, 0)), mailer, lapsed(user_id))
    assert [] == email_store.outbox_rows(fresh_db.read())


def test_caps_apply_across_the_days(fresh_db, smtp, mailer):
    capped = RetentionConfig(quiet_hours=(0, 0), cap_per_day=2, cap_per_week=5, email=True, public_url=SHOP,
                             email_text=email_text)
    user_id = shopper(fresh_db, "busy@example.com")
    with fresh_db.write() as db:
        audience_store.set_price_baselines(db, user_id, {"SKU-2": 1000})
    assert 2 == run(fresh_db, capped, mailer, everything(user_id)).sent
    assert 2 == len(smtp.received)
    due = sorted(r["not_before"] for r in email_store.outbox_rows(fresh_db.read(), user_id))
    assert [iso(NOW)] * 2 + [iso(NOW + timedelta(days=1))] * 2 + [iso(NOW + timedelta(days=2)), iso(NOW + timedelta(days=7))] == due
    assert 2 == deliver_email_due(fresh_db, mailer, now=NOW + timedelta(days=1)).sent
    assert 4 == len(smtp.received)


def test_the_caps_count_pushed_and_emailed_messages_alike_and_each_once(fresh_db):
    """What the planner and the order notifications schedule against: every channel, a message on two once."""
    user_id = shopper(fresh_db, "both@example.com")
    with fresh_db.write() as db:
        subscription = push_store.add_subscription(db, user_id, None, "https://fcm.googleapis.com/fcm/send/caps",
                                                   "p256dh-key", "auth-key", iso(NOW))

        def message(n: int, hours: int, push: bool, email: bool) -> None:
            due = iso(NOW + timedelta(hours=hours))
            message_id = campaign_store.add_message(db, {
                "user_id": user_id, "trigger": "t", "dedupe": f"d{n}", "campaign_id": 0, "variant": "",
                "offer_id": None, "due_at": due, "created_at": due})
            if push:
                push_store.enqueue(db, message_id, subscription, b"{}", topic=None, urgency="normal", ttl=60,
                                   not_before=due)
            if email:
                email_store.enqueue(db, {"message_id": message_id, "user_id": user_id, "locale": "en", "subject": "s",
                                         "body": "b", "html": "h", "unsubscribe_url": SHOP, "not_before": due})

        message(1, -48, push=True, email=False)  # before ``since``
        message(2, 1, push=True, email=False)
        message(3, 2, push=False, email=True)
        message(4, 3, push=True, email=True)
        message(5, 4, push=False, email=False)  # planned, on no channel
    since = iso(NOW - timedelta(days=1))
    assert [iso(NOW + timedelta(hours=h)) for h in (1, 2, 3)] == campaign_store.sent_times(fresh_db.read(), user_id, since)

def test_quiet_hours_hold_the_email_until_morning_in_the_zone_the_browser_reported(client, fresh_db, smtp, mailer):
    # An email-only shopper (no push subscription): the zone comes from PUT /api/me/time-zone (pwa/timezone.js).
    quiet = RetentionConfig(quiet_hours=(21, 9), email=True, public_url=SHOP, email_text=email_text)
    headers = sign_up(client, email="far@example.com")
    user_id = int(headers["X-Test-User"])
    with fresh_db.write() as db:
        for purpose in PURPOSES:
            consent.record(db, user_id, purpose, True, 1_000)
    assert 204 == client.put("/api/me/time-zone", json={"timeZone": "Asia/Shanghai"}, headers=headers).status_code
    evening = datetime(2026, 6, 10, 14, 0, tzinfo=timezone.utc)  # 14:00 UTC (not quiet there), 22:00 in Shanghai
    assert 0 == run(fresh_db, quiet, mailer, lapsed(user_id), at=evening).sent
    assert [] == smtp.received
    morning = datetime(2026, 6, 11, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
    [row] = email_store.outbox_rows(fresh_db.read(), user_id)
    assert iso(morning) == row["not_before"]
    assert 0 == deliver_email_due(fresh_db, mailer, now=morning - timedelta(minutes=1)).sent
    assert 1 == deliver_email_due(fresh_db, mailer, now=morning).sent
    assert ["far@example.com"] == smtp.received[0].rcpt_tos


def test_a_push_subscribed_shopper_gets_push_not_email(fresh_db, smtp, config, mailer, vapid, double):
    user_id = shopper(fresh_db, "pushy@example.com")
    _, sub = subscribe(fresh_db, double, user_id)
    sender = PushSender(vapid, RetentionConfig(test_origins=(double.origin,)), clock=lambda: NOW)
    try:
        result = run_retention(fresh_db, RetentionConfig(**{**config.__dict__, "test_origins": (double.origin,)}), NOW,
                               provider_of(lapsed(user_id)), sender=sender)
    finally:
        sender.close()
    assert 1 == result.delivery.accepted
    assert 1 == len(double.for_subscription(sub))
    assert 0 == deliver_email_due(fresh_db, mailer, now=NOW).sent
    assert ([], []) == (smtp.received, email_store.outbox_rows(fresh_db.read()))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_the_unsubscribe_link_works_end_to_end(client, fresh_db, smtp, config, mailer):
    user_id = shopper(fresh_db, "leaving@example.com")
    run(fresh_db, config, mailer, lapsed(user_id))
    link = smtp.received[0].message["List-Unsubscribe"].strip("<>")
    page = client.get(path_of(link))
    assert 200 == page.status_code
    assert '<form method="post"' in page.text and "Unsubscribe from marketing email" in page.text
    assert consents.has(fresh_db.read(), user_id, EMAIL)  # a GET (a link scanner) changes nothing
    # What a mail client sends for List-Unsubscribe-Post (RFC 8058): no cookie, no sign-in.
    done = client.post(path_of(link), content=b"List-Unsubscribe=One-Click",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert 200 == done.status_code
    assert "You are unsubscribed" in done.text
    assert not consents.has(fresh_db.read(), user_id, EMAIL)
    assert {"granted": False} == {k: v for k, v in sync_store.get_value(fresh_db.read(), user_id, "consents")[EMAIL].items()
                                  if k == "granted"}  # the devices see it in the synced view
    again = lapsed(user_id)
    with fresh_db.write() as db:
        db.execute("DELETE FROM email_outbox")  # let the trigger fire again: still no email
        db.execute("DELETE FROM retention_messages")
    assert 0 == run(fresh_db, config, mailer, again).sent
    assert 1 == len(smtp.received)


def test_the_unsubscribe_pages_form_posts_the_token(client, fresh_db):
    user_id = shopper(fresh_db, "form@example.com")
    done = client.post("/unsubscribe", data={"token": token_for(user_id)})
    assert 200 == done.status_code
    assert not consents.has(fresh_db.read(), user_id, EMAIL)


@pytest.mark.parametrize("token", ["", "1", "1.k1.nothex", "2.{mac}", "1.{mac}0", "x" * 500])
def test_a_bad_unsubscribe_link_changes_nothing(client, fresh_db, token):
    user_id = shopper(fresh_db, "stay@example.com")
    token = token.format(mac=token_for(user_id).split(".", 1)[1])
    page = client.get("/unsubscribe", params={"token": token})
    assert 400 == page.status_code
    if len(token) <= MAX_TOKEN:  # longer ones are refused as a bad query parameter (a problem body)
        assert "This unsubscribe link does not work" in page.text
    posted = client.post("/unsubscribe", params={"token": token}, content=b"List-Unsubscribe=One-Click",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert 400 == posted.status_code
    assert posted.headers["content-type"].startswith("application/problem+json")
    assert consents.has(fresh_db.read(), user_id, EMAIL)


def test_the_unsubscribe_page_speaks_the_shoppers_language(client, fresh_db):
    user_id = shopper(fresh_db, "zh@example.com", locale="zh-CN")
    page = client.get("/unsubscribe", params={"token": token_for(user_id)})
    assert "退订营销邮件" in page.text and 'lang="zh-CN"' in page.text


def test_consent_withdrawn_before_sending_drops_the_email(fresh_db, smtp, mailer):
    quiet = RetentionConfig(quiet_hours=(21, 9), email=True, public_url=SHOP, email_text=email_text)
    user_id = shopper(fresh_db, "changed@example.com")
    run(fresh_db, quiet, mailer, lapsed(user_id), at=datetime(2026, 6, 10, 22, 0, tzinfo=timezone.utc))
    with fresh_db.write() as db:
        consent.record(db, user_id, EMAIL, False, 2_000)
    report = deliver_email_due(fresh_db, mailer, now=datetime(2026, 6, 11, 9, 0, tzinfo=timezone.utc))
    assert (0, 1) == (report.sent, report.dropped)
    assert [] == smtp.received


def test_two_runners_never_claim_one_email_twice(fresh_db, smtp, config, mailer):
    user_id = shopper(fresh_db, "once@example.com")
    run_retention(fresh_db, config, NOW, provider_of(lapsed(user_id)))
    with fresh_db.write() as db:
        first = email_store.claim_due(db, iso(NOW), 10)
    with fresh_db.write() as db:
        second = email_store.claim_due(db, iso(NOW), 10)
    assert (1, []) == (len(first), second)
    assert 0 == deliver_email_due(fresh_db, mailer, now=NOW).sent  # the other runner's claim is left alone
    assert [] == smtp.received


@pytest.mark.parametrize("code, state, attempts_left", [(550, "rejected", False), (451, "pending", True)])
def test_smtp_refusals_are_final_or_retried(fresh_db, smtp, config, mailer, caplog, code, state, attempts_left):
    user_id = shopper(fresh_db, "full@example.com")
    smtp.handler.refuse["full@example.com"] = code
    with caplog.at_level("DEBUG"):
        report = run(fresh_db, config, mailer, lapsed(user_id))
    [row] = email_store.outbox_rows(fresh_db.read(), user_id)
    assert (state, code, 0) == (row["state"], row["status"], report.sent)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("lastmile")]
    assert ours and not [m for m in ours if "full@example.com" in m]  # outbox id and code only, never the address
    if attempts_left:
        assert iso(NOW + timedelta(seconds=30)) == row["not_before"]
        del smtp.handler.refuse["full@example.com"]
        assert 1 == deliver_email_due(fresh_db, mailer, now=NOW + timedelta(seconds=30)).sent


def test_an_unreachable_server_is_retried_later(fresh_db, config):
    from tests.smtp_server import free_port

    user_id = shopper(fresh_db, "later@example.com")
    down = EmailSender(f"smtp://127.0.0.1:{free_port()}", "shop@lastmile.test", timeout=2, clock=lambda: NOW)
    report = run(fresh_db, config, down, lapsed(user_id))
    [row] = email_store.outbox_rows(fresh_db.read(), user_id)
    assert (1, "pending", None) == (report.retried, row["state"], row["status"])


def test_account_deletion_drops_unsent_email(fresh_db, mailer):
    from retention.service import erase_shopper

    quiet = RetentionConfig(quiet_hours=(21, 9), email=True, public_url=SHOP, email_text=email_text)
    user_id = shopper(fresh_db, "gone@example.com")
    run_retention(fresh_db, quiet, datetime(2026, 6, 10, 22, 0, tzinfo=timezone.utc), provider_of(lapsed(user_id)))
    with fresh_db.write() as db:
        erase_shopper(db, user_id)
    assert ["dropped"] == [r["state"] for r in email_store.outbox_rows(fresh_db.read(), user_id)]


def test_lastmile_retention_run_sends_the_email(fresh_db, settings, smtp, monkeypatch, capsys):
    from server.cli.main import main
    from tests.utils import add_product

    point_cli_at(monkeypatch, settings)
    monkeypatch.setenv("LASTMILE_SMTP_URL", smtp.url)
    monkeypatch.setenv("LASTMILE_PUBLIC_URL", SHOP)
    monkeypatch.setenv("LASTMILE_QUIET_HOURS", "0-0")
    now = datetime.now(timezone.utc)
    user_id = shopper(fresh_db, "cli@example.com")
    add_product(fresh_db, "MUG", price=1_000)
    with fresh_db.write() as db:
        sync_store.put_view(db, user_id, "cart/MUG", {"sku": "MUG", "qty": 2,
                                                      "addedAt": int((now - timedelta(hours=5)).timestamp() * 1000)})
    assert 0 == main(["retention", "run", "--quiet"])
    assert "emails: 1 sent" in capsys.readouterr().out
    [mail] = smtp.received
    assert (["cli@example.com"], "Your cart is waiting") == (mail.rcpt_tos, mail.message["Subject"])
    assert mail.message["List-Unsubscribe"].startswith(f"<{SHOP}/unsubscribe?token=")


def test_the_shoppers_export_lists_their_emails(client, fresh_db, smtp, config, mailer):
    headers = client.post("/api/auth/signup", json={"email": "mine@example.com", "password": "correct horse battery",
                                                    "deviceName": "phone"})
    assert 201 == headers.status_code
    token, user_id = headers.json()["token"], headers.json()["userId"]
    with fresh_db.write() as db:
        for purpose in PURPOSES:
            consent.record(db, user_id, purpose, True, 1_000)
    run(fresh_db, config, mailer, lapsed(user_id))
    data = client.get("/api/me/export", headers={"Authorization": f"Bearer {token}"}).json()
    assert [("We miss you", "en", "sent")] == [(e["subject"], e["locale"], e["state"]) for e in data["emails"]]
