"""SQL that (re)seals the personal columns each room declares: migrations of old plain rows, and key rotation.

A room lists its sealed columns as ``SealedColumn`` values in its store module; table and column names come
from those declarations in code, never from input. A row needs work while its value is not sealed under the
current key (plain, or an older key) or its blind index was made with an older key; once re-sealed it no
longer matches, so batches need no paging and an interrupted run simply continues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from . import vault


@dataclass(frozen=True)
class SealedColumn:
    """A text column holding sealed values of one kind (and, optionally, the blind index computed from it)."""

    table: str
    key: tuple[str, ...]
    column: str
    kind: str
    index_column: str | None = None
    index_kind: str | None = None
    where: str = ""
    """Extra SQL filter (a fixed fragment in code), e.g. the view keys that hold personal values."""

    def __post_init__(self) -> None:
        for name in (self.table, self.column, self.index_column or "x", *self.key):
            if not name.replace("_", "").isalnum():
                raise ValueError(f"not a plain SQL name: {name!r}")


def _stale(spec: SealedColumn) -> tuple[str, list[Any]]:
    current = vault.installed().current.kid
    prefix = f"{vault.MARK}{current}."
    cond = f"substr({spec.column}, 1, {len(prefix)}) <> ?"
    params: list[Any] = [prefix]
    if spec.index_column:
        cond = f"({cond} OR {spec.index_column} IS NULL OR substr({spec.index_column}, 1, {len(current) + 1}) <> ?)"
        params.append(f"{current}.")
    sql = f"{spec.column} IS NOT NULL AND {cond}"
    if spec.where:
        sql += f" AND ({spec.where})"
    return sql, params


def count_stale(db: Any, spec: SealedColumn) -> int:
    """Rows of ``spec`` not yet sealed (and indexed) under the current key."""
    where, params = _stale(spec)
    return db.execute(f"SELECT count(*) FROM {spec.table} WHERE {where}", params).fetchone()[0]


def reseal_batch(db: Any, spec: SealedColumn, limit: int) -> int:
    """Seal up to ``limit`` stale rows under the current key (in the caller's write transaction); how many were read.

    Each row is rewritten only if it still holds the value read (``AND column = old``): a process that changed it
    meanwhile (an erasure, a new TOTP secret, a synced address) keeps its write; a row it left stale (written under
    an old key) is read again by the next batch, so callers loop while a batch reads any.
    """
    where, params = _stale(spec)
    keys = ", ".join(spec.key)
    rows = db.execute(f"SELECT {keys}, {spec.column} FROM {spec.table} WHERE {where} LIMIT ?", [*params, limit]).fetchall()
    match = " AND ".join(f"{k} = ?" for k in [*spec.key, spec.column])
    for *key_values, value in rows:
        plain = vault.unseal(spec.kind, value) if vault.is_sealed(value) else str(value).encode()
        if spec.index_column:
            db.execute(
                f"UPDATE {spec.table} SET {spec.column} = ?, {spec.index_column} = ? WHERE {match}",
                [vault.seal(spec.kind, plain), vault.blind_index(spec.index_kind or spec.kind, plain.decode()), *key_values,
                 value],
            )
        else:
            db.execute(f"UPDATE {spec.table} SET {spec.column} = ? WHERE {match}", [vault.seal(spec.kind, plain), *key_values, value])
    return len(rows)


def reseal_all(db: Any, specs: tuple[SealedColumn, ...], limit: int = 10_000) -> int:
    """Seal every stale row of ``specs`` in the caller's transaction (migrations); how many rows."""
    done = 0
    for spec in specs:
        while n := reseal_batch(db, spec, limit):
            done += n
    return done


def sealing_migration(specs: Callable[[], tuple[SealedColumn, ...]]) -> Callable[[Any], None]:
    """A migration step sealing the plain rows of ``specs`` (given lazily: stores declare them below MIGRATIONS)."""

    def step(db: Any) -> None:
        reseal_all(db, specs())

    return step
