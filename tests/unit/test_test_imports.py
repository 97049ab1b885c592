"""Tests share helpers through plain modules (tests/utils.py and friends), never through a conftest or a test module."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent


def imported_names(path: Path) -> list[str]:
    """Every module a file imports, relative imports resolved against its package."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_no_test_file_imports_a_conftest_or_a_test_module():
    offending = [
        (str(path.relative_to(ROOT)), name)
        for path in sorted(TESTS.rglob("*.py"))
        for name in imported_names(path)
        if name.startswith("tests.") and name.split(".")[-1].startswith(("conftest", "test_"))
    ]
    assert [] == offending
