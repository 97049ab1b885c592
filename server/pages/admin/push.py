"""`/admin/push`: web push delivery health: accepted, gone, throttled, failed, deferred by caps and by quiet hours."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from litestar import Request, Response, get

from operators.roles import Permission
from retention import report_store
from retention.schedule import CAPS, QUIET_HOURS
from server.http.roles import PERMISSION
from server.pages.admin.common import ctx
from server.pages.admin.console import html_response
from server.pages.admin.layout import frame, h, table

STATES = ("accepted", "gone", "failed", "rejected", "pending", "sending", "lost", "dropped")
CAUSES = (CAPS, QUIET_HOURS, None)  # None: planned before causes were recorded
DAYS = 30


def health(rows: list[dict]) -> dict[str, int]:
    """Delivery rows by state folded into the page's figures; throttled = deliveries that met a 429, whatever next."""
    figures = {state: 0 for state in STATES} | {"throttled": 0}
    for row in rows:
        figures[row["state"]] = figures.get(row["state"], 0) + row["n"]
        figures["throttled"] += row["throttled"] or 0
    return figures


def _cause_key(cause: str | None) -> str:
    return "push.deferred." + (cause or "unrecorded")


@get("/admin/push", opt={PERMISSION: Permission.REPORTS}, sync_to_thread=True, include_in_schema=False)
def push_page(request: Request) -> Response:
    """The last 30 days of deliveries: outcomes, throttling, deferrals by cause."""
    c = ctx(request)
    now = datetime.now(timezone.utc)
    since = (now - timedelta(days=DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with c.database.snapshot() as db:
        figures = health(report_store.delivery_states(db, since))
        deferred = report_store.deferred_messages(db, since, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        daily = report_store.daily_deliveries(db, since)
        depth = report_store.outbox_depth(db)
    sent = sum(figures[s] for s in ("accepted", "gone", "failed", "rejected"))
    waiting = sum(w for _, w in deferred.values())
    kpis = [("push.accepted", figures["accepted"]), ("push.gone", figures["gone"]),
            ("push.throttled", figures["throttled"]), ("push.failed", figures["failed"] + figures["rejected"]),
            (_cause_key(CAPS), deferred.get(CAPS, (0, 0))[0]),
            (_cause_key(QUIET_HOURS), deferred.get(QUIET_HOURS, (0, 0))[0]),
            ("push.waiting", waiting), ("push.outbox", depth)]
    items = "".join(f'<li><span class="v">{v}</span>{h(c.t(k))}</li>' for k, v in kpis)
    body = f'<p class="muted">{h(c.t("push.window", days=DAYS, sent=sent))}</p><ul class="kpis">{items}</ul>'
    body += table(c.t("push.by_state"), [c.t("push.state"), c.t("push.count")],
                  [[c.t("push.state." + s), figures[s]] for s in STATES], numeric=(1,))
    body += table(c.t("push.by_cause"), [c.t("push.cause"), c.t("push.count"), c.t("push.still_waiting")],
                  [[c.t(_cause_key(cause)), *deferred.get(cause, (0, 0))] for cause in CAUSES
                   if cause is not None or cause in deferred], numeric=(1, 2))
    by_day: dict[str, dict[str, int]] = {}
    for row in daily:
        by_day.setdefault(row["day"], {})[row["state"]] = row["n"]
    body += table(c.t("push.daily"), [c.t("day"), c.t("push.accepted"), c.t("push.gone"), c.t("push.failed")],
                  [[day, v.get("accepted", 0), v.get("gone", 0), v.get("failed", 0) + v.get("rejected", 0)]
                   for day, v in sorted(by_day.items(), reverse=True)], numeric=(1, 2, 3))
    return html_response(frame(request, c.info, c.t("push.title"), body))


PUSH_ROUTES = [push_page]
