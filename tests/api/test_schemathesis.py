"""schemathesis drives every operation of /schema/openapi.json against the whole app, with a shopper's and the admin
token: no 5xx, and every answer's status code, content type and body are the ones the description gives.

Bounded so the suite stays fast: a few derandomized examples per operation in schemathesis' positive and negative
modes, Hypothesis' explicit and generate phases (a failure is reported as found, unshrunk), no example database.
Requests go through Litestar's in-process test client (schemathesis' own transports cost 30-80 ms a request here);
schemathesis builds the cases and judges the answers (`Case.as_transport_kwargs`, `Case.validate_response`).
"""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from litestar.testing import TestClient
from schemathesis import GenerationMode
from schemathesis import checks as st_checks
from schemathesis.config import SchemathesisConfig

from accounts import service as accounts_service
from server.http.api_description import ADMIN_TOKEN as ADMIN_SCHEME
from server.http.api_description import JSON_LINES
from server.http.api_description import SHOPPER_TOKEN as SHOPPER_SCHEME
from server.http.auth import auth_policy
from server.settings import Settings
from server.stores import open_database
from tests.built_app import app_for
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]
EXAMPLES = 6
HYPOTHESIS = hypothesis_settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
)
ENDS_SESSIONS = {("POST", "/api/auth/logout"), ("DELETE", "/api/devices/{device_id}"), ("DELETE", "/api/me")}
"""Operations whose success signs the shopper's device out: the next case gets a fresh token."""
ENDLESS = {("GET", "/api/sync/poke")}
"""An event stream that never ends for a valid shopper: sent with schemathesis' generated credentials only (garbage
tokens and tickets: 401, bad parameters: 400); the stream itself is tested in tests/api/test_sync_poke.py."""
BASE = "http://testserver.local"


@schemathesis.serializer(JSON_LINES)
def _json_lines(context: Any, value: Any) -> bytes:
    """The import body on the wire: one JSON value per line (the description gives the lines as an array)."""
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


class Credentials:
    """A valid shopper token (made anew when a case signs it out) and the admin token, per security scheme."""

    def __init__(self, database, settings: Settings) -> None:
        self.database, self.settings, self.made = database, settings, 0
        self.shopper = self._new_shopper()

    def _new_shopper(self) -> str:
        self.made += 1
        session = accounts_service.signup(
            self.database, auth_policy(self.settings), f"schemathesis{self.made}@example.com", "correct horse battery",
            "schemathesis", "192.0.2.1",  # not the test client's address, whose attempts the cases may use up
        )
        return session.token

    def headers(self, operation) -> dict[str, str]:
        """The Authorization header the operation's security asks for (none for public operations)."""
        schemes = {name for requirement in operation.definition.raw.get("security") or [] for name in requirement}
        if ADMIN_SCHEME in schemes:
            return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        if SHOPPER_SCHEME in schemes:
            return {"Authorization": f"Bearer {self.shopper}"}
        return {}

    def after(self, operation, status: int) -> None:
        if (operation.method.upper(), operation.path) in ENDS_SESSIONS and status < 300:
            self.shopper = self._new_shopper()


def _send(client: TestClient, case, headers: dict[str, str]):
    """The case through Litestar's test client (requests-style keyword arguments mapped onto httpx's)."""
    kwargs = case.as_transport_kwargs(base_url=BASE, headers=headers)
    body: dict[str, Any] = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body["content" if isinstance(data, (bytes, str)) else "data"] = data
    return client.request(
        kwargs["method"], kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"),
        cookies=kwargs.get("cookies") or None, **body,
    )


def _has_inputs(operation) -> bool:
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


def _failures(client: TestClient, schema, credentials: Credentials, sent: dict[str, int]) -> Iterator[str]:
    for result in schema.get_all_operations():
        operation = result.ok()
        endless = (operation.method.upper(), operation.path) in ENDLESS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation):
                continue

            @given(case=operation.as_strategy(generation_mode=mode))
            @HYPOTHESIS
            def exercise(case) -> None:
                headers = {} if endless else credentials.headers(operation)
                response = _send(client, case, headers)
                sent[operation.label] = sent.get(operation.label, 0) + 1
                credentials.after(operation, response.status_code)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                exercise()
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    yield f"{operation.label}: schemathesis could not generate a valid request"
            except (Exception, BaseExceptionGroup) as failure:  # schemathesis' FailureGroup is an exception group
                yield f"{operation.label} [{mode.value}]: {failure}"


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[TestClient, Credentials]]:
    """The whole app on a fresh database, with credentials for both security schemes."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("schemathesis") / "var", admin_token=ADMIN_TOKEN,
                        scrypt_n=TEST_SCRYPT_N)
    database = open_database(settings)
    with TestClient(app_for(settings, database), base_url=BASE) as client:
        yield client, Credentials(database, settings)
    database.close()


def test_every_operation_answers_as_its_description_says(served):
    client, credentials = served
    config = SchemathesisConfig.from_dict({"cache": {"enabled": False}})
    schema = schemathesis.openapi.from_dict(client.get("/schema/openapi.json").json(), config=config)
    sent: dict[str, int] = {}
    assert [] == list(_failures(client, schema, credentials, sent))
    operations = [result.ok().label for result in schema.get_all_operations()]
    assert [] == [label for label in operations if not sent.get(label)], "operations no case was sent to"
