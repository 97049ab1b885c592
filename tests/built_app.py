"""create_app for tests, without building the app each time: one built app per body limit, bound per test.

Building the application (~240 route handlers) costs about a second; binding it to a test's settings,
database and hooks costs nothing (server/app.py build_app / bind). Tests run one after another in a
process, so one built app serves them all; tests that start a real server (LiveServer) build their own.
"""

from __future__ import annotations

from litestar import Litestar

from server.app import bind, build_app
from server.db import Database
from server.settings import Settings
from server.wiring import Hooks

_BUILT: dict[int, Litestar] = {}


def app_for(settings: Settings, database: Database, hooks: Hooks | None = None) -> Litestar:
    """The app bound to this test's settings, database and hooks (built once per ``max_body_bytes``)."""
    app = _BUILT.get(settings.max_body_bytes)
    if app is None:
        app = _BUILT[settings.max_body_bytes] = build_app(settings.max_body_bytes)
    return bind(app, settings, database, hooks)
