"""The console's HTML: the page frame (navigation by role, language switch, sign-out), tables, forms, masking.

Every value is escaped here or by the caller with ``h``; no page loads anything from outside this server.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Sequence

from litestar import Request

from operators.models import SessionInfo
from operators.roles import Permission
from server.i18n import SUPPORTED, t
from server.pages.admin.console import locale_of

# (path, text key, permission): the navigation shows only what the role may open.
NAV: tuple[tuple[str, str, str], ...] = (
    ("/admin", "nav.dashboard", Permission.DASHBOARD),
    ("/admin/catalog", "nav.catalog", Permission.CATALOG),
    ("/admin/orders", "nav.orders", Permission.ORDERS),
    ("/admin/returns", "nav.returns", Permission.RETURNS),
    ("/admin/shoppers", "nav.shoppers", Permission.SHOPPERS),
    ("/admin/rewards", "nav.rewards", Permission.REWARDS),
    ("/admin/campaigns", "nav.campaigns", Permission.CAMPAIGNS),
    ("/admin/push", "nav.push", Permission.REPORTS),
    ("/admin/audit", "nav.audit", Permission.AUDIT),
)

CSS = """
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans SC",sans-serif;
color:#1d2433;background:#f4f6f8}a{color:#0b5d4b}a:focus-visible,button:focus-visible,input:focus-visible,
select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:9}
header.top{display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:10px 20px;background:#0b5d4b;color:#fff}
header.top a{color:#fff}.brand{font-weight:700;text-decoration:none;margin-right:8px}
header.top .who{margin-left:auto;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
header.top button{background:#fff;color:#0b5d4b;border:0;border-radius:4px;padding:4px 10px;cursor:pointer}
nav.side ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px}
nav.side a{display:block;padding:8px 12px;border-radius:4px;text-decoration:none}
nav.side a[aria-current=page]{background:#dcebe6;font-weight:600}
.bar2{background:#fff;border-bottom:1px solid #d5dbe1;padding:4px 16px}
main{padding:16px 20px;max-width:1200px}h1{font-size:1.5rem;margin:.3em 0 .6em}h2{font-size:1.15rem;margin:1.2em 0 .5em}
table{border-collapse:collapse;background:#fff;margin:.4em 0 1em;min-width:40%}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #d5dbe1;padding:5px 8px;text-align:left;vertical-align:top}th{background:#eef1f4}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
form.inline{display:inline-flex;gap:6px;align-items:center;flex-wrap:wrap;margin:0}
form.inline+form.inline{margin-left:1.5em}
form.stack{display:grid;gap:8px;max-width:36rem;background:#fff;padding:12px;border:1px solid #d5dbe1;border-radius:6px}
form.stack fieldset{display:grid;gap:6px;border:1px solid #d5dbe1;border-radius:4px;padding:8px 10px}
label{font-weight:600}input,select,textarea{font:inherit;padding:5px 7px;border:1px solid #6b7785;border-radius:4px;background:#fff;color:#1d2433}
button.primary,form.stack button{background:#0b5d4b;color:#fff;border:0;border-radius:4px;padding:7px 14px;font:inherit;cursor:pointer}
button.small{background:#0b5d4b;color:#fff;border:0;border-radius:4px;padding:3px 9px;font:inherit;cursor:pointer}
.note{padding:8px 12px;border-radius:4px;background:#e6f4ea;border:1px solid #9fd4ae;margin:.5em 0}
.warn{padding:8px 12px;border-radius:4px;background:#fdecea;border:1px solid #e8a29b;margin:.5em 0;color:#6e1c13}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px;margin:0;padding:0;list-style:none}
.kpis li{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:10px}.kpis .v{font-size:1.4rem;font-weight:700;display:block}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:14px}
figure{margin:0;background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:10px}figcaption{font-weight:600}
figure svg{width:100%;height:auto;display:block}details summary{cursor:pointer;color:#0b5d4b;margin-top:4px}
.muted{color:#4f5b67}.mono{font-family:ui-monospace,Menlo,Consolas,monospace}
progress{width:100%;height:1.2em}
"""

_FRAME = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} · {console}</title><meta name="robots" content="noindex"><link rel="icon" href="data:,">
<style>{css}</style>{head}</head><body>
<a class="skip" href="#main">{skip}</a>
<header class="top"><a class="brand" href="/admin">Lastmile · {console}</a>{who}</header>
{nav}
<main id="main">{flash}<h1>{title}</h1>
{body}</main>
</body></html>
"""


def h(value: object) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return escape(str(value), quote=True)


def tx(locale: str, key: str, **params: object) -> str:
    """A console text."""
    return t(locale, f"console.{key}", **params)


def csrf_field(info: SessionInfo) -> str:
    """The hidden CSRF input every console form carries."""
    return f'<input type="hidden" name="csrf" value="{h(info.csrf_token)}">'


def language_switch(request: Request, locale: str) -> str:
    """Links to the same page in each language (a link, not a form: it changes only a preference cookie)."""
    links = []
    for other in SUPPORTED:
        label = h(t(other, f"common.language.{other}"))
        if other == locale:
            links.append(f'<span lang="{other}" aria-current="true">{label}</span>')
        else:
            links.append(f'<a href="{h(request.url.path)}?lang={other}" lang="{other}" hreflang="{other}">{label}</a>')
    return f'<span role="group" aria-label="{h(tx(locale, "language"))}">{" · ".join(links)}</span>'


def frame(request: Request, info: SessionInfo | None, title: str, body: str, *, flash: str = "",
          head: str = "") -> str:
    """A whole console page around ``body`` (already-escaped HTML)."""
    locale = locale_of(request)
    switch = language_switch(request, locale)
    if info is None:
        who, nav = f'<span class="who">{switch}</span>', ""
    else:
        p = info.principal
        signout = (f'<form class="inline" method="post" action="/admin/signout">{csrf_field(info)}'
                   f'<button type="submit">{h(tx(locale, "signout"))}</button></form>')
        who = (f'<span class="who"><span>{h(p.email)} · {h(tx(locale, "role." + p.role))}</span>{switch}'
               f'{signout}</span>')
        items = []
        for path, key, permission in NAV:
            if p.can(permission):
                current = ' aria-current="page"' if request.url.path == path else ""
                items.append(f'<li><a href="{path}"{current}>{h(tx(locale, key))}</a></li>')
        nav = f'<nav class="side bar2" aria-label="{h(tx(locale, "nav"))}"><ul>{"".join(items)}</ul></nav>'
    flash_html = f'<p class="note" role="status">{h(flash)}</p>' if flash else ""
    return _FRAME.format(lang=locale, title=h(title), console=h(tx(locale, "console")), css=CSS, head=head,
                         skip=h(tx(locale, "skip")), who=who, nav=nav, flash=flash_html, body=body)


def table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Iterable[int] = (),
          raw: Iterable[int] = ()) -> str:
    """A captioned table; ``numeric`` columns align right, ``raw`` columns hold HTML made by the caller."""
    numeric, raw = set(numeric), set(raw)
    head = "".join(f'<th scope="col"{" class=num" if i in numeric else ""}>{h(x)}</th>' for i, x in enumerate(headers))
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            text = str(value) if i in raw else h(value)
            cells.append(f'<td class="num">{text}</td>' if i in numeric else f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">—</td></tr>')
    return f"<table><caption>{h(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def options(values: Iterable[tuple[str, str]], selected: str | None = None) -> str:
    """<option>s from (value, label) pairs."""
    return "".join(
        f'<option value="{h(v)}"{" selected" if v == selected else ""}>{h(label)}</option>' for v, label in values
    )


def status_filter(action: str, label: str, any_label: str, statuses: Iterable[tuple[str, str]], selected: str | None,
                  button: str) -> str:
    """The GET form above a list at ``action`` that shows one status (value, label pairs) or any."""
    return (
        f'<form class="inline" method="get" action="{action}"><label for="status">{h(label)}</label>'
        f'<select id="status" name="status"><option value="">{h(any_label)}</option>'
        f'{options(statuses, selected)}</select>'
        f'<button class="small" type="submit">{h(button)}</button></form>'
    )


def move_form(info: SessionInfo, action: str, label: str, moves: Iterable[tuple[str, str]], button: str) -> str:
    """The inline POST form in a list's row that moves that row to one of ``moves`` (value, label pairs)."""
    return (
        f'<form class="inline" method="post" action="{action}">{csrf_field(info)}'
        f'<select name="status" aria-label="{h(label)}">{options(moves)}</select>'
        f'<button class="small" type="submit">{h(button)}</button></form>'
    )


def money(minor: int | float, currency: str = "EUR") -> str:
    """Integer minor units as ``12.34 EUR``."""
    return f"{minor / 100:,.2f} {currency}"


def error_page(request: Request, info: SessionInfo | None, status: int, key: str) -> str:
    """A refusal (403 for a role without the right, or a form without its CSRF token)."""
    locale = locale_of(request)
    body = f'<p class="warn">{h(tx(locale, "error." + key))}</p><p><a href="/admin">{h(tx(locale, "nav.dashboard"))}</a></p>'
    return frame(request, info, tx(locale, f"error.{key}.title"), body)
