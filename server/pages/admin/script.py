"""`/admin/console.js`: the console's only script: it keeps an import's progress bar live (pages work without it)."""

from __future__ import annotations

from litestar import Response, get

from operators.roles import Permission
from server.http.roles import PERMISSION

CONSOLE_JS = """
const box = document.getElementById('import-job');
if (box && box.dataset.state === 'running') {
  const bar = document.getElementById('import-progress');
  const status = document.getElementById('import-status');
  const tick = async () => {
    const answer = await fetch(`/admin/catalog/imports/${box.dataset.job}/status`, {credentials: 'same-origin'});
    if (!answer.ok) return;
    const job = await answer.json();
    bar.max = job.total; bar.value = job.done; status.textContent = job.text;
    box.dataset.state = job.state;
    if (job.state === 'running') setTimeout(tick, 700); else location.reload();
  };
  setTimeout(tick, 300);
}
""".strip().encode()


@get("/admin/console.js", opt={PERMISSION: Permission.DASHBOARD}, include_in_schema=False)
async def console_js() -> Response:
    """The script (small enough to send whole each time; never cached across sign-ins)."""
    return Response(content=CONSOLE_JS, media_type="text/javascript", headers={"Cache-Control": "no-store"})


SCRIPT_ROUTES = [console_js]
