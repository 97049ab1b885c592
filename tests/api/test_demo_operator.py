"""The demo's console owner: `seed-demo` makes one with a random password and TOTP secret in a 0600 file."""

from __future__ import annotations

import stat

from retention.demo import DEMO_PASSWORD
from server.cli.main import main
from server.cli.operator import DEMO_OPERATOR, seed_demo_operator
from tests.operator_support import csrf_of
from tests.utils import ADMIN_TOKEN


def credentials(path) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in path.read_text().splitlines() if ": " in line)


def test_the_demo_owner_signs_in_to_the_console_with_the_file_and_demo_code(client, fresh_db, settings, monkeypatch, capsys):
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LASTMILE_ADMIN_TOKEN", ADMIN_TOKEN)
    path = seed_demo_operator(settings, fresh_db)
    assert 0o600 == stat.S_IMODE(path.stat().st_mode)
    found = credentials(path)
    assert DEMO_OPERATOR == found["email"]
    assert found["password"] != DEMO_PASSWORD and 24 <= len(found["password"])  # random, never a well-known one
    assert "http://127.0.0.1:8000/admin/signin" == found["sign-in"]
    assert None is seed_demo_operator(settings, fresh_db)  # once: a second seed leaves the owner and the file alone
    assert found == credentials(path)
    capsys.readouterr()
    assert 0 == main(["operator", "demo-code"])
    code = capsys.readouterr().out.strip()
    page = client.get("/admin/signin")
    answer = client.post("/admin/signin", data={"csrf": csrf_of(page.text), "email": found["email"],
                                                "password": found["password"], "code": code, "next": "/admin"},
                         follow_redirects=False)
    assert (303, "/admin") == (answer.status_code, answer.headers["location"])
    assert 200 == client.get("/admin/audit").status_code  # an owner


def test_demo_code_without_a_demo_owner_says_so(settings, monkeypatch, capsys):
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    assert 1 == main(["operator", "demo-code"])
    assert "no demo operator file" in capsys.readouterr().err


def test_demo_traffic_gives_the_api_and_sync_charts_something_real_and_trips_no_alert(fresh_db):
    from datetime import datetime, timezone

    from insights.alerts import evaluate
    from insights.dashboard import collect
    from insights.demo import seed_traffic

    now = datetime.now(timezone.utc)
    assert 0 < seed_traffic(fresh_db, now, days=90)
    for days in (30, 90):
        d = collect(fresh_db, now, days)
        # Every day but today (traffic ends an hour before now, which may still be today) has traffic.
        assert all(n > 0 for n in d.api_requests[:-1]) and all(ms > 0 for ms in d.api_latency_ms[:-1])
        assert 0 < max(d.api_error_percent[:-1]) < 0.5 and 0 < max(d.sync_error_percent)
    assert [] == [a.name for a in evaluate(fresh_db, now) if a.on]
