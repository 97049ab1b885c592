"""The rooms' import graph: no cycle between rooms, no domain room importing Litestar (docs/architecture.md)."""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_ROOMS = ("catalog", "media", "accounts", "sync", "loyalty", "retention", "operators", "insights")
BELOW_EVERY_ROOM = ("clock",)  # neutral helpers any room may import; they import no room
ROOMS = (*BELOW_EVERY_ROOM, *DOMAIN_ROOMS, "server")
NOT_ROOMS = ("tests", "bench")  # they use the rooms; nothing imports them
HTTP_PACKAGES = ("litestar",)

Edges = dict[tuple[str, str], list[str]]


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """Every module a file imports, at any depth (function-level imports too), relative ones made absolute."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def room_edges(root: Path, rooms: tuple[str, ...]) -> tuple[Edges, list[str]]:
    """Imports from one room into another (with where each happens), and domain imports of HTTP packages."""
    edges: Edges = defaultdict(list)
    http: list[str] = []
    for room in rooms:
        for path in sorted((root / room).rglob("*.py")):
            relative = path.relative_to(root)
            package = ".".join(relative.with_suffix("").parts[:-1]) if path.name != "__init__.py" else ".".join(
                relative.parts[:-1])
            for line, module in imported_modules(path, package):
                top = module.split(".")[0]
                where = f"{relative}:{line} imports {module}"
                if top in rooms and top != room:
                    edges[(room, top)].append(where)
                if top in HTTP_PACKAGES and room != "server":
                    http.append(where)
    return edges, http


def cycles(edges: Edges) -> list[list[str]]:
    """Each cycle of the room graph once, as the rooms along it (first room repeated at the end)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        graph[a].add(b)
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph[path[-1]]):
            if nxt == path[0]:
                if frozenset(path) not in seen:
                    seen.add(frozenset(path))
                    found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # start each cycle at its smallest room
                walk([*path, nxt])

    for start in sorted(graph):
        walk([start])
    return found


def describe(cycle: list[str], edges: Edges) -> str:
    hops = [f"  {a} -> {b}: " + "; ".join(edges[(a, b)][:3]) for a, b in zip(cycle, cycle[1:])]
    return " -> ".join(cycle) + "\n" + "\n".join(hops)


def test_no_import_cycle_between_rooms():
    edges, _ = room_edges(ROOT, ROOMS)
    found = cycles(edges)
    assert [] == [describe(c, edges) for c in found]


def test_no_domain_room_imports_litestar():
    _, http = room_edges(ROOT, ROOMS)
    assert [] == http


def test_the_packages_below_every_room_import_none():
    edges, _ = room_edges(ROOT, ROOMS)
    assert [] == [where for (room, _), found in edges.items() if room in BELOW_EVERY_ROOM for where in found]


def test_every_top_level_package_is_a_known_room():
    """A new room must be added to ROOMS, or the two tests above would not look at it."""
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))
    assert sorted((*ROOMS, *NOT_ROOMS)) == packages


def test_nothing_runs_a_call_when_a_module_is_imported():
    """No registration as an import side effect: hooks are installed by server/wiring.py, called explicitly."""
    found = []
    for room in ROOMS:
        for path in sorted((ROOT / room).rglob("*.py")):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Await)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)[:60]}")
    assert [] == found


def table_owners() -> dict[str, str]:
    """Each table and the domain room whose migrations create it."""
    owners = {}
    for room in DOMAIN_ROOMS:
        for _, _, statements in importlib.import_module(f"{room}.store").MIGRATIONS:
            for sql in statements:
                if not isinstance(sql, str):
                    continue  # a data step (a function of the transaction), no schema
                for table in re.findall(r"CREATE (?:VIRTUAL )?TABLE (?:IF NOT EXISTS )?(\w+)", sql):
                    owners[table] = room
    return owners


def test_no_room_reads_or_writes_another_rooms_tables():
    """Other rooms' data comes through that room's functions (a foreign key in a room's schema is fine)."""
    owners = table_owners()
    found = []
    for room in DOMAIN_ROOMS:
        for path in sorted((ROOT / room).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for table, owner in owners.items():
                if owner != room and re.search(rf"\b(FROM|JOIN|INTO|UPDATE)\s+{table}\b", text):
                    found.append(f"{path.relative_to(ROOT)} uses {owner}'s table {table}")
    assert [] == found


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"a/__init__.py": "", "a/x.py": "import b.y\n", "b/__init__.py": "", "b/y.py": "import c\n",
                      "c/__init__.py": ""}, [], id="no-cycle"),
        pytest.param({"a/__init__.py": "", "a/x.py": "from b.y import z\n", "b/__init__.py": "",
                      "b/y.py": "def f():\n    from a import x\n", "c/__init__.py": ""}, [["a", "b", "a"]],
                     id="function-level-import"),
        pytest.param({"a/__init__.py": "from b import q\n", "b/__init__.py": "", "b/s/__init__.py": "",
                      "b/s/t.py": "from ...c import r\n", "c/__init__.py": "", "c/r.py": "import a.m\n"},
                     [["a", "b", "c", "a"]], id="relative-import-leaving-its-room"),
    ],
)
def test_the_walk_finds_cycles_through_every_kind_of_import(tmp_path, files, expected):
    _tree(tmp_path, files)
    edges, _ = room_edges(tmp_path, ("a", "b", "c"))
    assert expected == cycles(edges)


def test_the_walk_finds_litestar_in_a_domain_room(tmp_path):
    _tree(tmp_path, {"a/__init__.py": "", "a/x.py": "def f():\n    from litestar import get\n",
                     "server/__init__.py": "import litestar\n"})
    _, http = room_edges(tmp_path, ("a", "server"))
    assert ["a/x.py:2 imports litestar"] == http
