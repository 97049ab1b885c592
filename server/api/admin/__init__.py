"""Operator (admin role) JSON controllers under /api/admin/..., one module per room."""

from __future__ import annotations

from litestar import Controller

from server.http.api_description import ADMIN
from server.http.roles import role_guard


class AdminController(Controller):
    """What every `/api/admin/...` controller is: behind the role guard (a subclass names the permission its routes
    need, ``opt = {PERMISSION: ...}``), tagged admin and documented as taking the admin token."""

    guards = [role_guard]
    tags = ["admin"]
    security = ADMIN
