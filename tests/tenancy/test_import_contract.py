"""Apps import each other at module top, so the import contract (pyproject.toml, checked by ``lint-imports`` in
CI) sees every cross-app call; an import inside a function to dodge a cycle means the rule lives in the wrong app.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "customers", "servicejobs", "complaints", "followups", "scoring", "demo", "outbox", "dealer_portal"]


def _app_of(module: str) -> str:
    """``dealer_portal.tenancy`` is an app of its own; the rest of ``dealer_portal`` is the project's wiring."""
    parts = module.split(".")
    return "dealer_portal.tenancy" if parts[:2] == ["dealer_portal", "tenancy"] else parts[0]


def _imports_inside_functions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    yield inner.lineno, inner.module
                elif isinstance(inner, ast.Import):
                    yield from ((inner.lineno, alias.name) for alias in inner.names)


def test_apps_import_each_other_at_module_top_only():
    lazy = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for line, imported in sorted(set(_imports_inside_functions(ast.parse(path.read_text())))):
                if imported.split(".")[0] in APPS and _app_of(imported) != _app_of(module):
                    lazy.append(f"{path.relative_to(ROOT)}:{line} imports {imported} inside a function")
    assert lazy == []
