"""`/admin`: today and the trends of the last 30 or 90 days, drawn as SVG with their numbers as tables."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from litestar import Request, Response, get
from litestar.params import Parameter

from insights.alerts import evaluate
from insights.dashboard import collect
from operators.roles import Permission
from server.http.roles import PERMISSION
from server.pages.admin.charts import bar_chart, line_chart
from server.pages.admin.common import ctx
from server.pages.admin.console import html_response
from server.pages.admin.layout import frame, h, money, table


@get("/admin", opt={PERMISSION: Permission.DASHBOARD}, sync_to_thread=True, include_in_schema=False)
def dashboard_page(request: Request, days: Annotated[int, Parameter(ge=7, le=90)] = 30) -> Response:
    """KPIs for today, trend charts, cohorts, segments and the push funnel."""
    c = ctx(request)
    days = 90 if days > 30 else 30
    now = datetime.now(timezone.utc)
    d = collect(c.database, now, days)
    alerts = [a for a in evaluate(c.database, now) if a.on]
    t = c.t
    switch = " · ".join(
        f'<a href="/admin?days={n}"{" aria-current=page" if n == days else ""}>{h(t("dash.days", days=n))}</a>'
        for n in (30, 90))
    kpis = [
        (t("dash.orders_today"), d.orders[-1]), (t("dash.revenue_today"), money(d.revenue[-1])),
        (t("dash.aov_today"), money(d.aov[-1])), (t("dash.repurchase"), f"{d.repurchase_rate:.1%}"),
        (t("dash.active_1d"), f"{d.active['1d'][0]} / {d.active['1d'][1]}"),
        (t("dash.active_30d"), f"{d.active['30d'][0]} / {d.active['30d'][1]}"),
        (t("dash.shoppers"), f"{d.shoppers} / {d.devices}"),
    ]
    if alerts:
        notes = "".join(f"<li>{h(t('alert.' + a.name, **a.params))}</li>" for a in alerts)
        body = f'<section class="warn" role="alert" aria-labelledby="alerts-h"><h2 id="alerts-h">{h(t("dash.alerts"))}</h2><ul>{notes}</ul></section>'
    else:
        body = f'<p id="alerts" class="lm-ok">{h(t("dash.no_alerts"))}</p>'
    body += f'<p>{switch}</p><ul class="kpis">' + "".join(
        f'<li><span class="v">{h(v)}</span>{h(k)}</li>' for k, v in kpis) + "</ul>"
    table_label, day = t("dash.numbers"), t("day")
    charts = [
        line_chart("chart-orders", t("dash.orders"), d.days, [t("dash.orders")], [d.orders], table_label, day),
        line_chart("chart-revenue", t("dash.revenue"), d.days, [t("dash.revenue")], [[v / 100 for v in d.revenue]],
                   table_label, day),
        line_chart("chart-aov", t("dash.aov"), d.days, [t("dash.aov")], [[v / 100 for v in d.aov]], table_label, day),
        line_chart("chart-buyers", t("dash.buyers"), d.days, [t("dash.buyers")], [d.buyers], table_label, day),
        line_chart("chart-returning", t("dash.returning"), d.days, [t("dash.returning")], [d.returning_percent],
                   table_label, day),
        line_chart("chart-active", t("dash.active_trend"), d.days, [t("dash.active_shoppers"), t("dash.active_devices")],
                   [d.active_shoppers, d.active_devices], table_label, day),
        line_chart("chart-points", t("dash.points"), d.days,
                   [t("dash.points_issued"), t("dash.points_redeemed"), t("dash.points_expired")],
                   [d.points_issued, d.points_redeemed, d.points_expired], table_label, day),
        bar_chart("chart-segments", t("dash.segments"), [t("segment." + s) for s in d.segments],
                  list(d.segments.values()), table_label, t("dash.segment"), t("dash.shoppers_col")),
        bar_chart("chart-funnel", t("dash.funnel"), [t("funnel." + k) for k in ("sent", "shown", "clicked", "redeemed")],
                  [d.funnel.get(k, 0) for k in ("sent", "shown", "clicked", "redeemed")], table_label,
                  t("dash.stage"), t("dash.messages")),
        line_chart("chart-api-requests", t("dash.api_requests"), d.days, [t("dash.api_requests")], [d.api_requests],
                   table_label, day),
        line_chart("chart-api-errors", t("dash.api_errors"), d.days, [t("dash.api_errors")], [d.api_error_percent],
                   table_label, day),
        line_chart("chart-api-latency", t("dash.api_latency"), d.days, [t("dash.api_latency")], [d.api_latency_ms],
                   table_label, day),
        line_chart("chart-sync-errors", t("dash.sync_errors"), d.days, [t("dash.sync_errors")],
                   [d.sync_error_percent], table_label, day),
    ]
    body += '<div class="charts">' + "".join(charts) + "</div>"
    roi = (d.revenue_from_push - d.discount_from_push) / d.discount_from_push if d.discount_from_push else None
    body += f'<p>{h(t("dash.roi", revenue=money(d.revenue_from_push), discount=money(d.discount_from_push), roi="—" if roi is None else f"{roi:.2f}"))}</p>'
    width = max((len(s) for _, _, s in d.cohorts), default=0)
    cohort_rows = [[month, size] + [f"{v:.0%}" for v in shares] + [""] * (width - len(shares))
                   for month, size, shares in d.cohorts]
    body += table(t("dash.cohorts"), [t("dash.cohort"), t("dash.cohort_size")] + [f"+{i}" for i in range(width)],
                  cohort_rows, numeric=tuple(range(1, width + 2)))
    return html_response(frame(request, c.info, t("dash.title"), body))


DASHBOARD_ROUTES = [dashboard_page]
