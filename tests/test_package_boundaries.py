"""One-way packages: `bot` (channels, NLU, policies) and `actions` (the action server) never import
each other; both may import `trygg` (settings, keys, redaction, text, buttons, store), which imports
neither. Read from the source (every import statement, also inside functions)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"bot": {"actions"}, "actions": {"bot"}, "trygg": {"bot", "actions"}}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_in_the_allowed_direction(package):
    wrong = [(str(path.relative_to(REPO_ROOT)), name)
             for path in sorted((REPO_ROOT / package).rglob("*.py"))
             for name in _imports(path) if name.split(".")[0] in FORBIDDEN[package]]
    assert wrong == []
