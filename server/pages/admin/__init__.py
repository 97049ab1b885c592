"""The operator console under /admin: server-rendered pages behind the console guard (session, role, CSRF)."""

from litestar import Router

from server.pages.admin.audit import AUDIT_ROUTES
from server.pages.admin.campaigns import CAMPAIGN_ROUTES
from server.pages.admin.catalog import CATALOG_ROUTES
from server.pages.admin.console import console_guard, exception_handlers, remember_language
from server.pages.admin.dashboard import DASHBOARD_ROUTES
from server.pages.admin.orders import ORDER_ROUTES
from server.pages.admin.push import PUSH_ROUTES
from server.pages.admin.returns import RETURN_ROUTES
from server.pages.admin.rewards import REWARD_ROUTES
from server.pages.admin.script import SCRIPT_ROUTES
from server.pages.admin.shoppers import SHOPPER_ROUTES
from server.pages.admin.signin import SIGNIN_ROUTES

CONSOLE_ROUTES = [*SIGNIN_ROUTES, *DASHBOARD_ROUTES, *CATALOG_ROUTES, *ORDER_ROUTES, *RETURN_ROUTES, *SHOPPER_ROUTES, *REWARD_ROUTES,
                  *CAMPAIGN_ROUTES, *PUSH_ROUTES, *AUDIT_ROUTES, *SCRIPT_ROUTES]

console_router = Router(path="/", route_handlers=CONSOLE_ROUTES, guards=[console_guard], middleware=[remember_language],
                        exception_handlers=exception_handlers(), include_in_schema=False)
