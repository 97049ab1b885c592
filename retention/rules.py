"""Campaign audiences as rules: AND/OR trees of conditions over what the customer model knows about a shopper.

A tree is ``{"all": [...]}``, ``{"any": [...]}`` or a condition ``{"field", "op", "value"}``. Trees are checked
once when a campaign is saved (``check``: unknown fields, operators that do not fit the field, values of the wrong
type or out of range, and trees too deep or too large are refused with the path of the bad part), then evaluated
per shopper (``matches``) against a plain dict of attributes (``attributes`` builds it). Pure: no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from accounts.consents import PURPOSES

from .errors import BadCampaign
from .models import SEGMENTS

MAX_DEPTH = 4
MAX_NODES = 40
MAX_LIST = 20
TIERS = ("silver", "gold", "diamond")
CHANNELS = PURPOSES  # consent is per purpose: notifications, offers, analytics, email
LOCALES = ("en", "zh-CN")

NUMERIC_OPS = ("eq", "ne", "lt", "lte", "gt", "gte")
CHOICE_OPS = ("eq", "ne", "in", "not_in")
SET_OPS = ("has", "not_has")


@dataclass(frozen=True)
class Field:
    """One attribute a condition may test: its operators and the values it takes."""

    ops: tuple[str, ...]
    kind: str  # "int", "choice" or "slug"
    low: int = 0
    high: int = 0
    choices: tuple[str, ...] = ()


FIELDS: dict[str, Field] = {
    "segment": Field(CHOICE_OPS, "choice", choices=SEGMENTS),
    "tier": Field(CHOICE_OPS + ("gte", "lte"), "choice", choices=TIERS),
    "tags": Field(SET_OPS, "slug"),
    "recency": Field(NUMERIC_OPS, "int", 1, 5),
    "frequency": Field(NUMERIC_OPS, "int", 1, 5),
    "monetary": Field(NUMERIC_OPS, "int", 1, 5),
    "days_since_last_order": Field(NUMERIC_OPS, "int", 0, 36_500),
    "cart_value": Field(NUMERIC_OPS, "int", 0, 10**10),
    "category_affinity": Field(SET_OPS, "slug"),
    "consent": Field(SET_OPS, "choice", choices=CHANNELS),
    "locale": Field(CHOICE_OPS, "choice", choices=LOCALES),
    "orders": Field(NUMERIC_OPS, "int", 0, 100_000),
    "aov": Field(NUMERIC_OPS, "int", 0, 10**10),
    "repurchase_rate": Field(NUMERIC_OPS, "int", 0, 100),
    "predicted_ltv": Field(NUMERIC_OPS, "int", 0, 10**12),
}
"""What a condition can ask about. ``days_since_last_order`` is absent for a shopper who never ordered (every
numeric test on it is false); ``repurchase_rate`` is in percent; money is in minor units."""


class Condition(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A node of an audience tree: a group (``all``/``any``) or a test (``field``, ``op``, ``value``)."""

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    field: str | None = None
    op: str | None = None
    value: Any = None


def _bad(path: str, message: str) -> BadCampaign:
    return BadCampaign("bad-conditions", f"conditions{path}: {message}", path=f"conditions{path}")


def _check_value(path: str, name: str, spec: Field, op: str, value: Any) -> None:
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and (not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST):
        raise _bad(path, f"{op} takes a list of 1 to {MAX_LIST} values")
    for item in values:
        if spec.kind == "int":
            if not isinstance(item, int) or isinstance(item, bool) or not spec.low <= item <= spec.high:
                raise _bad(path, f"{name} takes a whole number from {spec.low} to {spec.high}, not {item!r}")
        elif spec.kind == "choice":
            if item not in spec.choices:
                raise _bad(path, f"{name} is one of {', '.join(spec.choices)}, not {item!r}")
        elif not (isinstance(item, str) and 1 <= len(item) <= 32 and item.replace("-", "").replace("_", "").isalnum()
                  and item == item.lower()):
            raise _bad(path, f"{name} takes a lower-case slug of up to 32 characters, not {item!r}")


def check(tree: Condition | None) -> Condition | None:
    """The tree if every node is valid; BadCampaign naming the first bad node's path otherwise."""
    if tree is None:
        return None
    count = 0

    def walk(node: Condition, path: str, depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise _bad("", f"at most {MAX_NODES} conditions in one audience")
        if depth > MAX_DEPTH:
            raise _bad(path, f"groups nest at most {MAX_DEPTH} deep")
        shapes = [node.all is not None, node.any is not None, node.field is not None]
        if sum(shapes) != 1:
            raise _bad(path, 'each node is {"all": [...]}, {"any": [...]} or {"field", "op", "value"}')
        for group in ("all", "any"):
            children = getattr(node, group)
            if children is not None:
                if not 1 <= len(children) <= MAX_LIST:
                    raise _bad(path, f"{group} takes 1 to {MAX_LIST} conditions")
                for i, child in enumerate(children):
                    walk(child, f"{path}.{group}[{i}]", depth + 1)
                return
        spec = FIELDS.get(node.field or "")
        if spec is None:
            raise _bad(path, f"unknown field {node.field!r}; known: {', '.join(sorted(FIELDS))}")
        if node.op not in spec.ops:
            raise _bad(path, f"{node.field} takes the operators {', '.join(spec.ops)}, not {node.op!r}")
        _check_value(path, node.field, spec, node.op, node.value)  # type: ignore[arg-type]

    walk(tree, "", 1)
    return tree


def _compare(op: str, have: Any, want: Any) -> bool:
    if have is None:
        return op in ("ne", "not_in", "not_has")  # an unknown value is never equal, never in range
    return {
        "eq": lambda: have == want, "ne": lambda: have != want, "lt": lambda: have < want,
        "lte": lambda: have <= want, "gt": lambda: have > want, "gte": lambda: have >= want,
        "in": lambda: have in want, "not_in": lambda: have not in want,
        "has": lambda: want in have, "not_has": lambda: want not in have,
    }[op]()


def matches(tree: Condition | None, shopper: dict[str, Any]) -> bool:
    """Whether a shopper's attributes satisfy the tree (no tree: everyone)."""
    if tree is None:
        return True
    if tree.all is not None:
        return all(matches(child, shopper) for child in tree.all)
    if tree.any is not None:
        return any(matches(child, shopper) for child in tree.any)
    have, want, op = shopper.get(tree.field), tree.value, tree.op  # type: ignore[arg-type]
    if tree.field == "tier" and op in ("gte", "lte"):
        have = TIERS.index(have) if have in TIERS else None
        want = TIERS.index(want)
    return _compare(op, have, want)  # type: ignore[arg-type]


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Condition | None)


def dumps(tree: Condition | None) -> str | None:
    """The stored form of a tree."""
    return None if tree is None else _encoder.encode(tree).decode()


def loads(text: str | None) -> Condition | None:
    """A tree from its stored form."""
    return None if not text else _decoder.decode(text)
