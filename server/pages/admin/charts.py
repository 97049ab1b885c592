"""Charts as server-side SVG: a line chart of one or more daily series, and horizontal bars, each with its table.

No chart library and no script: the SVG is part of the page (no request, works without JavaScript), and its
numbers are always in a table next to it (screen readers, copying into a spreadsheet).
"""

from __future__ import annotations

from html import escape
from typing import Sequence

WIDTH, HEIGHT = 560, 200
PAD_L, PAD_R, PAD_T, PAD_B = 48, 10, 10, 24
COLOURS = ("#0b5d4b", "#b3541e", "#1f5fa8", "#7a3e9d")  # all ≥ 4.5:1 on white


def _fmt(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _table(caption: str, labels: Sequence[str], names: Sequence[str], series: Sequence[Sequence[float]],
           label_head: str) -> str:
    head = f'<th scope="col">{escape(label_head)}</th>' + "".join(f'<th scope="col" class="num">{escape(n)}</th>' for n in names)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>' + "".join(f'<td class="num">{_fmt(s[i])}</td>' for s in series) + "</tr>"
        for i, label in enumerate(labels)
    )
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _figure(chart_id: str, title: str, figures: str, height: int, parts: Sequence[str], legend: str, table_label: str,
            table: str) -> str:
    """The SVG (titled with its figures, so a screen reader hears them) in a figure, the numbers' table folded below."""
    svg = (f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-t" '
           f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{escape(title)}: {escape(figures)}</title>'
           + "".join(parts) + "</svg>")
    return (f'<figure id="{chart_id}" data-chart><figcaption>{escape(title)}</figcaption>{svg}'
            f'{legend}<details><summary>{escape(table_label)}</summary>{table}</details></figure>')


def line_chart(chart_id: str, title: str, labels: Sequence[str], names: Sequence[str],
               series: Sequence[Sequence[float]], table_label: str, label_head: str) -> str:
    """A figure with a line per series over ``labels`` (days), its legend, and the numbers as a table."""
    top = max([max(s, default=0) for s in series] + [0]) or 1
    n = max(len(labels), 1)
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return PAD_T + plot_h - plot_h * v / top

    parts = [f'<line x1="{PAD_L}" y1="{PAD_T + plot_h}" x2="{WIDTH - PAD_R}" y2="{PAD_T + plot_h}" stroke="#6b7785"/>']
    for frac in (0.5, 1.0):
        yy = y(top * frac)
        parts.append(f'<line x1="{PAD_L}" y1="{yy:.1f}" x2="{WIDTH - PAD_R}" y2="{yy:.1f}" stroke="#d5dbe1"/>'
                     f'<text x="{PAD_L - 4}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" fill="#1d2433">{_fmt(top * frac)}</text>')
    if labels:
        for i in sorted({0, n - 1}):
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 6}" text-anchor="{"start" if i == 0 else "end"}" '
                         f'font-size="11" fill="#1d2433">{escape(labels[i])}</text>')
    for k, values in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        if len(values) > 1:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        for i, v in enumerate(values):
            if len(values) <= 31 or i == len(values) - 1:
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>')
    legend = "".join(
        f'<span style="color:{COLOURS[k % len(COLOURS)]};margin-right:12px">■</span>{escape(name)} ' for k, name in enumerate(names)
    ) if len(names) > 1 else ""
    last = ", ".join(f"{name} {_fmt(s[-1]) if s else '0'}" for name, s in zip(names, series))
    return _figure(chart_id, title, last, HEIGHT, parts, f'<p class="muted">{legend}</p>', table_label,
                   _table(title, labels, names, series, label_head))


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[float], table_label: str,
              label_head: str, value_head: str) -> str:
    """Horizontal bars (segment sizes, a funnel), with the numbers as a table."""
    top = max(list(values) + [0]) or 1
    row_h = 26
    height = max(len(labels), 1) * row_h + 8
    label_w = 150
    parts = []
    for i, (label, v) in enumerate(zip(labels, values)):
        yy = 4 + i * row_h
        w = (WIDTH - label_w - 60) * v / top
        parts.append(f'<text x="{label_w - 6}" y="{yy + 16}" text-anchor="end" font-size="12" fill="#1d2433">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{yy + 3}" width="{max(w, 1):.1f}" height="{row_h - 8}" fill="{COLOURS[0]}"/>'
                     f'<text x="{label_w + w + 6:.1f}" y="{yy + 16}" font-size="12" fill="#1d2433">{_fmt(v)}</text>')
    summary = ", ".join(f"{label} {_fmt(v)}" for label, v in zip(labels, values))
    return _figure(chart_id, title, summary, height, parts, "", table_label,
                   _table(title, labels, [value_head], [list(values)], label_head))
