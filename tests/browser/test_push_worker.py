"""pwa/push-sw.js in a real Chromium: a push (delivered through DevTools) shows the notification and the
worker reports it to /api/events with the message's receipt, without the shopper's token."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import datetime, timezone

import pytest

from tests.browser_pages import api

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(bare_server):
    """The app served for real, without the demo catalog (a push needs no products)."""
    return bare_server


def test_push_shows_the_notification_and_reports_it(browser, live_server, live_settings):
    from retention import campaign_store
    from retention.planner import enqueue_message
    from retention.receipts import receipt_for
    from server.push_runtime import push_runtime
    from server.stores import open_database

    session = api(live_server, "POST", "/api/auth/signup", {"email": "push@example.com", "password": "correct horse battery", "deviceName": "phone"})
    config = push_runtime(live_settings).config
    database = open_database(live_settings)
    with database.write() as db:
        message_id = enqueue_message(db, user_id=session["userId"], trigger="test", dedupe="browser", context={}, campaign=None,
                                     now=datetime.now(timezone.utc), config=config)
    with urllib.request.urlopen(live_server.url + "/sw.js", timeout=10) as response:
        worker_js = response.read().decode()
    imports = re.findall(r"importScripts\((.*?)\);", worker_js)
    # Loaded exactly once: twice would show every notification twice.
    assert 1 == sum("push-sw" in i for i in imports), "sw.js must load the push handlers once"

    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    registrations: dict[str, str] = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    page.goto(live_server.url + "/offline")
    page.evaluate("""async (script) => {
        const reg = await navigator.serviceWorker.register(script, { scope: '/' });
        const worker = reg.installing || reg.waiting || reg.active;
        if (worker.state !== 'activated') await new Promise((ok) => worker.addEventListener('statechange', () => worker.state === 'activated' && ok()));
    }""", "/sw.js")  # the shop's real worker, which must import push-sw.js
    scope = live_server.url + "/"
    deadline = time.monotonic() + 10
    while scope not in registrations and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    payload = {"title": "Back in stock", "body": "Your mug is back", "url": "/p/X", "messageId": message_id,
               "receipt": receipt_for(config.receipt_key, message_id), "tag": "offer"}
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": live_server.url, "registrationId": registrations[scope], "data": json.dumps(payload)})
    deadline = time.monotonic() + 10
    shown = False
    while not shown and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        shown = database.read().execute("SELECT 1 FROM retention_events WHERE message_id = ? AND kind = 'shown'", [message_id]).fetchone() is not None
    titles = page.evaluate("async () => (await (await navigator.serviceWorker.getRegistration('/static/')).getNotifications()).map((n) => [n.title, n.tag, n.data.url])")
    context.close()
    assert shown
    assert [["Back in stock", "offer", "/p/X"]] == titles
    assert "POST /api/events" in live_server.requests
    assert session["userId"] == campaign_store.get_message(database.read(), message_id)["user_id"]
    database.close()
