"""What every console page handler shares: the signed-in context and reading a posted form."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, Response

from operators.models import SessionInfo
from server.db import Database
from server.pages.admin.console import html_response, info_of, locale_of
from server.pages.admin.layout import frame, h, tx
from server.settings import Settings

DONE_KEYS = frozenset({"saved", "status", "created", "activated", "deactivated", "imported", "revealed"})
MAX_FIELD = 4096


@dataclass(frozen=True)
class Ctx:
    """One console request: who, in which language, and the app's database and settings."""

    request: Request
    info: SessionInfo
    locale: str
    database: Database
    settings: Settings

    def t(self, key: str, **params: object) -> str:
        """A console text in this request's language."""
        return tx(self.locale, key, **params)

    @property
    def flash(self) -> str:
        """The note a redirect after a write asked for (`?done=saved`)."""
        done = self.request.query_params.get("done")
        return self.t(f"done.{done}") if done in DONE_KEYS else ""


def ctx(request: Request) -> Ctx:
    """The context of a request the console guard let through."""
    state = request.app.state
    return Ctx(request=request, info=info_of(request), locale=locale_of(request), database=state.database,
               settings=state.settings)


async def form_fields(request: Request, *names: str) -> dict[str, str]:
    """The named text fields of a posted form (missing ones are empty), each bounded."""
    form = await request.form()
    return {name: str(form.get(name, "") or "")[:MAX_FIELD].strip() for name in names}


def parse_int(text: str, lo: int, hi: int) -> int | None:
    """A whole number within [lo, hi], else None."""
    try:
        value = int(text, 10)
    except ValueError:
        return None
    return value if lo <= value <= hi else None


def refused(c: Ctx, page: str, why: str, status: int = 422) -> Response:
    """A console page's refusal: why, in the operator's language, and the way back to the page (/admin/{page},
    titled {page}.title)."""
    body = (f'<p class="warn" role="alert">{h(c.t("refused_why", why=why))}</p>'
            f'<p><a href="/admin/{page}">{h(c.t("back"))}</a></p>')
    return html_response(frame(c.request, c.info, c.t(f"{page}.title"), body), status=status)
