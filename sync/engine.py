"""The push/pull engine (Replicache-style, server-authoritative); see docs/sync.md."""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

import msgspec

from accounts import service as accounts_service

from . import store
from .errors import BadSyncRequest, PermanentError, TemporaryError, TooLarge, UnknownClient
from .limits import FUTURE_SKEW_MS, SyncLimits
from .models import Clear, Del, MutationError, PatchOp, PullRequest, PullResponse, PushRequest, PushResponse, Put
from .mutators import MutationContext, MutatorTable, Registered
from .poke import notify

log = logging.getLogger("lastmile.sync")

SCHEMA_VERSION = 1
Codec = Literal["json", "msgpack"]

_decoders = {
    ("json", PushRequest): msgspec.json.Decoder(PushRequest),
    ("msgpack", PushRequest): msgspec.msgpack.Decoder(PushRequest),
    ("json", PullRequest): msgspec.json.Decoder(PullRequest),
    ("msgpack", PullRequest): msgspec.msgpack.Decoder(PullRequest),
}


def decode(body: bytes, kind: type, codec: Codec = "json") -> Any:
    """A PushRequest or PullRequest from a body; BadSyncRequest saying what is wrong."""
    try:
        request = _decoders[(codec, kind)].decode(body)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise BadSyncRequest(f"not a valid {kind.__name__}: {exc}") from None
    if request.schema_version != SCHEMA_VERSION:
        raise BadSyncRequest(f"schemaVersion {request.schema_version} is not supported; this server speaks {SCHEMA_VERSION}")
    return request


def check_push(request: PushRequest, limits: SyncLimits) -> None:
    """Refuse a push past the limits before anything is written."""
    if len(request.mutations) > limits.max_mutations:
        raise TooLarge(f"a push carries at most {limits.max_mutations} mutations, got {len(request.mutations)}")
    for m in request.mutations:
        if len(m.args) > limits.max_args_bytes:
            raise TooLarge(f"mutation {m.id}: args are at most {limits.max_args_bytes} bytes, got {len(m.args)}")


def clamp_at(at: int, now_ms: int) -> int:
    """A mutation's HLC time; missing (0) or far-future values become server time."""
    if at <= 0 or at > now_ms + FUTURE_SKEW_MS:
        return now_ms
    return at


def _decoded(mutators: MutatorTable, name: str, raw: msgspec.Raw, codec: Codec) -> tuple[Registered, Any]:
    """The mutator and decoded args of one mutation; PermanentError when either is wrong."""
    registered = mutators.lookup(name)
    if registered is None:
        raise PermanentError("unknown-mutation", f"this server has no mutation {name!r}")
    decoder = registered.json if codec == "json" else registered.msgpack
    try:
        return registered, decoder.decode(raw)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise PermanentError("bad-args", f"{name}: {exc}") from None


def _prefetch(db: Any, user_id: int, run: list[tuple[Any, Any]]) -> None:
    """Each mutator's prefetch, once per name with every args of that name in the run (a few queries, not N)."""
    by_name: dict[str, tuple[Registered, list]] = {}
    for _, decoded in run:
        if isinstance(decoded, tuple) and decoded[0].prefetch is not None:
            by_name.setdefault(decoded[0].name, (decoded[0], []))[1].append(decoded[1])
    for registered, args in by_name.values():
        registered.prefetch(db, user_id, args)


def _apply(ctx: MutationContext, decoded: tuple[Registered, Any] | PermanentError) -> None:
    if isinstance(decoded, PermanentError):
        raise decoded
    registered, args = decoded
    registered.fn(ctx, args)


def _undo(db: Any, good: list) -> None:
    """Roll back to the savepoint (dropping a failed mutation's partial writes) and replay the good run."""
    db.conn.execute("ROLLBACK TO push")  # the savepoint stays open
    store.forget_version()
    for ctx, decoded in good:
        _apply(ctx, decoded)


def push(
    database: Any,
    user_id: int,
    request: PushRequest,
    limits: SyncLimits,
    mutators: MutatorTable,
    *,
    codec: Codec = "json",
    now_ms: int | None = None,
) -> PushResponse:
    """Apply a client's new mutations in one write transaction; poke the user's devices if the view moved.

    ``mutators`` is every mutation this engine knows (server/wiring.py builds it from each room's MUTATORS).
    """
    check_push(request, limits)
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    # The whole push is one transaction, run again if the database gives it up (deadlock, serialization):
    # nothing outside the database happens until it commits, so a re-run applies each mutation once.
    response, moved = database.transact(lambda db: _push_in(db, user_id, request, mutators, codec, now_ms))
    if moved:
        notify(user_id)
    return response


def _push_in(
    db: Any, user_id: int, request: PushRequest, mutators: MutatorTable, codec: Codec, now_ms: int
) -> tuple[PushResponse, bool]:
    """The push's work inside its transaction: the response and whether the user's view moved."""
    errors: list[MutationError] = []
    client_id = request.client_id
    with store.buffered(user_id):
        store.lock_shopper(db, user_id)  # two servers given the same push at once: the second sees the first's work
        # An erasure drops every client: a push authenticated before it committed must not bind a new one and write
        # the erased account's view again (asked only for an unknown client, so a known one's push costs nothing).
        owner, last = store.bind_client(db, client_id, user_id,
                                        may_bind=lambda: not accounts_service.shopper_erased(db, user_id))
        if owner != user_id:
            raise UnknownClient(f"no client {client_id} among yours")
        start = last
        rolled_back = False
        # The run this push can apply: ids last+1, last+2, ... (lower ones are done; a gap stops it).
        run: list[tuple[Any, Any]] = []
        for m in sorted(request.mutations, key=lambda m: m.id):
            if m.id <= last + len(run):
                continue  # already done: a retry or a duplicate
            if m.id > last + len(run) + 1:
                break  # a gap: the missing ones must come first
            try:
                run.append((m, _decoded(mutators, m.name, m.args, codec)))
            except PermanentError as exc:
                run.append((m, exc))
        _prefetch(db, user_id, run)
        # One savepoint for the run of good mutations (not two statements per mutation): when one
        # fails, roll back to it, replay the good ones (deterministic: same state, same ctx), record
        # the failure, and open a new savepoint. Each mutation runs at most twice. The store buffers
        # reads and writes (store.buffered), so it is flushed before the savepoint moves.
        good: list[tuple[MutationContext, Any]] = []
        db.conn.execute("SAVEPOINT push")
        for m, decoded in run:
            ctx = MutationContext(db, user_id, client_id, m.id, clamp_at(m.at, now_ms), now_ms)
            try:
                _apply(ctx, decoded)
            except TemporaryError as exc:
                _undo(db, good)
                rolled_back = True
                log.info("sync: mutation %s stopped a push for now: %s", m.name, exc)
                break
            except Exception as exc:
                if getattr(exc, "retry_transaction", False):
                    raise  # the transaction is doomed (deadlock): transact() runs the whole push again
                _undo(db, good)
                rolled_back = True
                if isinstance(exc, PermanentError):
                    code, detail = exc.code, exc.detail
                else:  # a bug in a mutator: logged, and the client is not left stuck retrying it forever
                    log.error("sync: mutator %s failed", m.name, exc_info=exc)
                    code, detail = "internal-error", "the server could not apply this mutation; it has been logged"
                error = MutationError(id=m.id, name=m.name, code=code, detail=detail)
                store.put_view(db, user_id, f"errors/{m.id}", error, scope=client_id)
                store.trim_errors(db, user_id, client_id)
                errors.append(error)
                good = []
                store.flush(db)
                db.conn.execute("RELEASE push")
                db.conn.execute("SAVEPOINT push")
            else:
                good.append((ctx, decoded))
            last = m.id
        store.flush(db)
        db.conn.execute("RELEASE push")
        if last != start:
            store.set_last_mutation_id(db, client_id, last)
        # Whether the view moved: a bump, unless a rollback undid it (then poke anyway: a needless
        # pull finds nothing, and reading the version back would cost every push two statements).
        moved = store.bumped() or rolled_back
    return PushResponse(last_mutation_id=last, errors=errors), moved


def _bind_for_pull(database: Any, user_id: int, client_id: str) -> None:
    known = store.client(database.read(), client_id)
    if known is None:
        with database.write() as db:
            known = store.bind_client(db, client_id, user_id)
    if known[0] != user_id:
        raise UnknownClient(f"no client {client_id} among yours")


def pull(database: Any, user_id: int, request: PullRequest) -> PullResponse:
    """The patch that brings the client from its cookie to the user's current version.

    Values are msgspec.Raw JSON straight from the store (no decode/encode on the hot path).
    """
    _bind_for_pull(database, user_id, request.client_id)
    cookie = request.cookie
    with database.snapshot() as db:
        version, horizon = store.user_version(db, user_id)
        found = store.client(db, request.client_id)
        last = found[1] if found else 0
        patch: list[PatchOp] = []
        if cookie is None or cookie > version or cookie < horizon:
            patch.append(Clear())
            for key, value in store.live_rows(db, user_id, request.client_id):
                patch.append(Put(key, msgspec.Raw(value)))
        else:
            for key, value in store.changes_since(db, user_id, request.client_id, cookie):
                patch.append(Del(key) if value is None else Put(key, msgspec.Raw(value)))
    return PullResponse(cookie=version, last_mutation_id=last, patch=patch)


def prune_tombstones(database: Any, older_than_days: int, now: float | None = None) -> int:
    """Drop tombstones older than the horizon; clients with older cookies then get a full snapshot."""
    now = time.time() if now is None else now
    with database.write() as db:
        return store.prune_tombstones(db, int(now - older_than_days * 86_400))
