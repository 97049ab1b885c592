"""The synced address book: `address.put` / `address.remove` reach every device, last writer wins by `at`,
bad or excess addresses are permanent errors, and addresses are sealed at rest."""

import uuid

import pytest

from sync.addresses import MAX_ADDRESSES
from tests.utils import apply_patch, log_in, sign_up, stored_bytes

HOME = {"id": "home", "name": "Lin Mei", "line1": "88 Kunlun Road", "city": "Shanghai", "postcode": "200040",
        "country": "CN", "phone": "+86 21 5555 0101"}


def push(client, headers, client_id, mutations, first=1):
    body = {"clientId": client_id, "mutations": [
        {"id": first + i, "name": name, "args": args, "at": at} for i, (name, args, at) in enumerate(mutations)]}
    response = client.post("/api/sync/push", headers=headers, json=body)
    assert 200 == response.status_code, response.text
    return response.json()


def addresses(client, headers):
    response = client.post("/api/sync/pull", headers=headers, json={"clientId": str(uuid.uuid4()), "cookie": None})
    view: dict = {}
    apply_patch(view, response.json()["patch"])
    return {key: value for key, value in view.items() if key.startswith("addresses/")}


def test_an_address_saved_on_the_phone_shows_on_the_laptop(client):
    phone = sign_up(client)
    laptop = log_in(client)
    assert [] == push(client, phone, str(uuid.uuid4()), [("address.put", HOME, 1000)])["errors"]
    expected = {**HOME, "line2": "", "region": ""}
    assert {"addresses/home": expected} == addresses(client, laptop)
    assert {} == addresses(client, sign_up(client, email="someone.else@example.com"))  # only the owner's devices


def test_the_later_edit_wins_and_a_removal_beats_an_older_edit(client):
    headers = sign_up(client)
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    push(client, headers, a, [("address.put", {**HOME, "city": "Beijing"}, 2000)])
    push(client, headers, b, [("address.put", {**HOME, "city": "Hangzhou"}, 1500)])  # older: loses
    assert "Beijing" == addresses(client, headers)["addresses/home"]["city"]
    push(client, headers, b, [("address.remove", {"id": "home"}, 3000)], first=2)
    push(client, headers, a, [("address.put", {**HOME, "city": "Suzhou"}, 2500)], first=2)  # made before the removal
    assert {} == addresses(client, headers)


@pytest.mark.parametrize(
    ("args", "word"),
    [
        ({**HOME, "country": "China"}, "country"),
        ({**HOME, "line1": ""}, "line1"),
        ({**HOME, "line1": "x" * 121}, "line1"),
        ({**HOME, "postcode": "<script>"}, "postcode"),
        ({**HOME, "id": "../other"}, "id"),
        ({k: v for k, v in HOME.items() if k != "city"}, "city"),
    ],
    ids=["country", "empty-line", "long-line", "postcode", "id", "missing-city"],
)
def test_a_bad_address_is_a_permanent_error_that_saves_nothing(client, args, word):
    headers = sign_up(client)
    errors = push(client, headers, str(uuid.uuid4()), [("address.put", args, 1000)])["errors"]
    assert 1 == len(errors) and word in errors[0]["detail"], errors
    assert {} == addresses(client, headers)


def test_the_address_book_is_bounded(client):
    headers = sign_up(client)
    many = [("address.put", {**HOME, "id": f"a{i}"}, 1000 + i) for i in range(MAX_ADDRESSES + 1)]
    errors = push(client, headers, str(uuid.uuid4()), many)["errors"]
    assert ["too-many-addresses"] == [e["code"] for e in errors]
    assert MAX_ADDRESSES == len(addresses(client, headers))


def test_addresses_are_sealed_at_rest(client, fresh_db):
    headers = sign_up(client)
    push(client, headers, str(uuid.uuid4()), [("address.put", HOME, 1000)])
    raw = stored_bytes(fresh_db)
    for secret in (b"Kunlun", b"Lin Mei", b"5555 0101"):
        assert secret not in raw
