"""Fixtures of the push tests: one VAPID key and one push-service double per module."""

import pytest

from retention.vapid_keys import application_server_key, load_vapid
from tests.push_double import PushDouble


@pytest.fixture(scope="module")
def vapid(tmp_path_factory):
    """A VAPID key pair made for this module."""
    return load_vapid(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def double(vapid):
    """An in-process push service on 127.0.0.1 that checks the VAPID JWT and decrypts bodies."""
    with PushDouble(application_server_key(vapid)) as d:
        yield d
