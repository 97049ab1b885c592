"""The HTML part of a retention email: one column, real text (no images), every value escaped, in the shopper's language.

Mail clients strip `<style>` and scripts, so the few styles are inline; colours keep WCAG AA contrast (white on
the link button 8.4:1, the footer 8.5:1 on white). Links say where they go instead of showing bare URLs; the heading is the
subject; `lang` lets a screen reader pick the voice (zh-CN or en).
"""

from __future__ import annotations

import re
from html import escape

TEXT = "#1a1a1a"
QUIET = "#4d4d4d"  # 8.5:1 on white
BUTTON = "#0b4f8a"  # white text on it: 8.4:1
_PARAGRAPHS = re.compile(r"\n\s*\n")


def _text(value: str) -> str:
    """Escaped text (quotes too, so a value can never end an attribute)."""
    return escape(value, quote=True)


def _paragraphs(body: str) -> str:
    """Blank lines part paragraphs, single line breaks stay line breaks."""
    return "".join(
        f'<p style="margin:0 0 1em">{"<br>".join(_text(line) for line in part.strip().splitlines())}</p>'
        for part in _PARAGRAPHS.split(body) if part.strip()
    )


def page(*, locale: str, subject: str, body: str, open_url: str, open_label: str, why: str, unsubscribe_url: str,
         unsubscribe_label: str) -> str:
    """The email's HTML document."""
    button = (f'<p style="margin:1.5em 0"><a href="{_text(open_url)}" style="display:inline-block;padding:.75em 1.25em;'
              f'background:{BUTTON};color:#ffffff;text-decoration:underline;border-radius:4px">{_text(open_label)}</a></p>')
    footer = (f'<hr style="border:0;border-top:1px solid #cccccc;margin:2em 0 1em">'
              f'<p style="margin:0;font-size:14px;color:{QUIET}">{_text(why)} '
              f'<a href="{_text(unsubscribe_url)}" style="color:{QUIET}">{_text(unsubscribe_label)}</a></p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{_text(locale)}" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_text(subject)}</title>\n</head>\n"
        f'<body style="margin:0;padding:16px;background:#ffffff;color:{TEXT};'
        'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">\n'
        f'<div role="article" aria-label="{_text(subject)}" style="max-width:36em;margin:0 auto">\n'
        f'<h1 style="font-size:22px;line-height:1.3;margin:0 0 .75em">{_text(subject)}</h1>\n'
        f"{_paragraphs(body)}\n{button}\n{footer}\n</div>\n</body>\n</html>\n"
    )
