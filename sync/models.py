"""Sync wire Structs (camelCase). Unknown fields are ignored: old clients meet new servers."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

ClientId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="a UUID the client made for itself")]
MutationId = Annotated[int, Meta(ge=1, le=2**53 - 1)]
MutationName = Annotated[str, Meta(min_length=1, max_length=64)]
Cookie = Annotated[int, Meta(ge=0, le=2**53 - 1)]
Hlc = Annotated[int, Meta(ge=0, le=2**53 - 1, description="the client's hybrid logical clock in ms")]


class Mutation(msgspec.Struct, rename="camel"):
    """One client mutation; ``args`` is decoded later by the mutator's own args type."""

    id: MutationId
    name: MutationName
    args: msgspec.Raw
    at: Hlc = 0


class PushRequest(msgspec.Struct, rename="camel"):
    """Mutations of one client, numbered 1, 2, 3, ... without gaps."""

    client_id: ClientId
    mutations: list[Mutation]
    schema_version: int = 1


class MutationError(msgspec.Struct, rename="camel"):
    """A mutation that was rejected for good; the same entry sits at `errors/{id}` in the client's view."""

    id: int
    name: str
    code: str
    detail: str


class PushResponse(msgspec.Struct, rename="camel"):
    """How far the server got: every mutation with id <= lastMutationId is done (applied or rejected)."""

    last_mutation_id: int
    errors: list[MutationError] = []


class PullRequest(msgspec.Struct, rename="camel"):
    """``cookie`` is the one the last pull returned (null at first)."""

    client_id: ClientId
    cookie: Cookie | None = None
    schema_version: int = 1


class Put(msgspec.Struct, tag_field="op", tag="put"):
    """Set ``key`` to ``value``."""

    key: str
    value: Any


class Del(msgspec.Struct, tag_field="op", tag="del"):
    """Remove ``key``."""

    key: str


class Clear(msgspec.Struct, tag_field="op", tag="clear"):
    """Drop the whole local view before applying the rest of the patch."""


PatchOp = Put | Del | Clear


class PullResponse(msgspec.Struct, rename="camel"):
    """The patch from the client's cookie to ``cookie``, and how far this client's mutations got."""

    cookie: int
    last_mutation_id: int
    patch: list[PatchOp]
