"""The former admin guard's name, kept for routes written against it: it is the role guard (server/http/roles.py).

A controller that declares no ``opt={"permission": ...}`` is owner-only (LASTMILE_ADMIN_TOKEN or an owner's token).
"""

from server.http.roles import role_guard as admin_guard

__all__ = ["admin_guard"]
