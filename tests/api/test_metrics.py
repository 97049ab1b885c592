"""/metrics speaks Prometheus text behind a token or an allowlist; request counts reach the shared tables,
the dashboard and the alerts; `lastmile alerts check` posts each change to the webhook once."""

from __future__ import annotations

import http.server
import json
import threading
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from insights import alerts, store
from insights.dashboard import collect
from server.api.metrics import _allowed_address
from server.cli.main import main as cli_main
from server.http.metrics import RECORDER
from tests.operator_support import console_sign_in
from tests.utils import sign_up


def test_metrics_needs_a_token_or_an_allowed_address(client, admin_headers):
    assert 401 == client.get("/metrics").status_code
    answer = client.get("/metrics", headers=admin_headers)
    assert 200 == answer.status_code
    assert answer.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "allow, address, expected",
    [((), "127.0.0.1", False), (("127.0.0.1/32",), "127.0.0.1", True), (("10.0.0.0/8",), "10.1.2.3", True),
     (("10.0.0.0/8",), "192.168.1.1", False), (("::1/128",), "::1", True), (("127.0.0.1/32",), "testclient", False)],
)
def test_the_allowlist_matches_networks(allow, address, expected):
    connection = SimpleNamespace(scope={"client": (address, 4000)},
                                 app=SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(metrics_allow=allow))))
    assert expected == _allowed_address(connection)


def _sample(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{want}}}" if labels else f"{name} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _push(client, headers: dict, client_id: str, *mutations: tuple[str, dict]) -> dict:
    body = {"clientId": client_id, "mutations": [
        {"id": i, "name": name, "args": args, "at": int(time.time() * 1000)} for i, (name, args) in enumerate(mutations, 1)
    ]}
    answer = client.post("/api/sync/push", headers=headers, json=body)
    assert 200 == answer.status_code, answer.text
    return answer.json()


def test_requests_sync_pushes_and_outbox_are_in_the_text(client, admin_headers):
    before = client.get("/metrics", headers=admin_headers).text
    assert 200 == client.get("/api/products?limit=3").status_code
    assert 404 == client.get("/no/such/page").status_code
    headers = sign_up(client, "metrics@example.com")
    _push(client, headers, "0b6c3c44-7d1b-4c53-9f7e-000000000001", ("prefs.set", {"name": "theme", "value": "dark"}),
              ("cart.add", {"sku": "no-such-sku", "qty": 1}))
    text = client.get("/metrics", headers=admin_headers).text
    route = "GET /api/products"
    assert 1 == _sample(text, "lastmile_http_requests_total", route=route, status="200") - _sample(
        before, "lastmile_http_requests_total", route=route, status="200")
    assert _sample(text, "lastmile_http_requests_total", route="unmatched", status="404") >= 1
    assert _sample(text, "lastmile_http_request_duration_seconds_count", route=route) >= 1
    assert 1 == _sample(text, "lastmile_sync_pushes_total") - _sample(before, "lastmile_sync_pushes_total")
    assert 2 == _sample(text, "lastmile_sync_mutations_total") - _sample(before, "lastmile_sync_mutations_total")
    assert 1 == _sample(text, "lastmile_sync_mutation_errors_total") - _sample(before, "lastmile_sync_mutation_errors_total")
    assert "lastmile_sync_pokes_open " in text
    assert "lastmile_push_outbox_depth 0.0" in text


def test_request_counts_reach_the_database_and_the_dashboard(client, fresh_db):
    RECORDER.flush(fresh_db)  # what earlier tests left in this process's buffer
    for _ in range(3):
        assert 200 == client.get("/api/products?limit=2").status_code
    _push(client, sign_up(client, "dash@example.com"), "0b6c3c44-7d1b-4c53-9f7e-000000000002",
              ("cart.add", {"sku": "no-such-sku", "qty": 1}))
    RECORDER.flush(fresh_db)
    minute = int(time.time()) // 60
    totals = store.request_totals(fresh_db.read(), minute - 2, minute + 1)
    assert totals["requests"] >= 5
    assert 0 == totals["errors"]
    dashboard = collect(fresh_db, datetime.now(timezone.utc), 30)
    assert dashboard.api_requests[-1] >= 5
    assert 100.0 == dashboard.sync_error_percent[-1]  # the one mutation pushed today was rejected
    assert dashboard.api_latency_ms[-1] > 0


def _plant_errors(database, requests: int, errors: int) -> None:
    minute = int(time.time()) // 60 - 2
    with database.write() as db:
        store.add_counts(db, [(minute, "GET /api/products", 200, requests - errors, 10.0 * requests),
                              (minute, "GET /api/products", 500, errors, 5.0)])


def test_an_alert_turns_on_once_and_off_once(fresh_db):
    now = datetime.now(timezone.utc)
    _plant_errors(fresh_db, 1000, 20)
    verdicts = alerts.evaluate(fresh_db, now)
    assert ["api_errors"] == [a.name for a in verdicts if a.on]
    assert ["api_errors"] == [a.name for a in alerts.record(fresh_db, verdicts, now)]
    assert [] == alerts.record(fresh_db, verdicts, now)  # already on: nobody hears it twice
    quiet = [alerts.Alert(a.name, False) for a in verdicts]
    assert ["api_errors"] == [a.name for a in alerts.record(fresh_db, quiet, now)]
    assert [] == alerts.record(fresh_db, quiet, now)


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Hook.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.received
    server.shutdown()


def test_alerts_check_posts_each_change_to_the_webhook_once(settings, fresh_db, webhook, monkeypatch, capsys):
    url, received = webhook
    monkeypatch.setattr("server.cli.main.load_settings", lambda: settings.with_(alert_webhook_url=url))
    _plant_errors(fresh_db, 400, 40)
    assert 0 == cli_main(["alerts", "check"])
    assert 0 == cli_main(["alerts", "check"])
    assert [("api_errors", True)] == [(r["alert"], r["on"]) for r in received]
    assert {"requests": 400, "errors": 40, "percent": 10.0} == received[0]["figures"]
    assert "alerts: 1 on: api_errors" in capsys.readouterr().out
    assert store.alert_states(fresh_db.read())[0]["notified_at"]


def test_the_dashboard_shows_an_alert_that_is_on(client, fresh_db):
    _plant_errors(fresh_db, 1000, 30)
    console_sign_in(client, fresh_db, "owner@example.com", "owner")
    html = client.get("/admin").text
    assert 'role="alert"' in html
    assert "API error rate 3.0 % over the last 5 minutes (30 of 1000 requests failed)" in html
    assert 'id="chart-api-errors"' in html
