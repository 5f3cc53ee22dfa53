"""The layers read top-down (docs/architecture.md): no module imports from a layer above its own."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

# layer (a package of app) → the packages it must never import. Core may use models (persisted keys, cache
# versions) but no service.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "app.core": ("app.services", "app.schemas", "app.routers", "app.web", "app.deps", "app.main"),
    "app.models": ("app.services", "app.schemas", "app.routers", "app.web", "app.deps", "app.main"),
    "app.services": ("app.schemas", "app.routers", "app.web", "app.deps", "app.main"),
    "app.schemas": ("app.routers", "app.web", "app.deps", "app.main"),
}

# (file, imported module): deliberate exceptions, each with its reason
ALLOWED = {
    # the `python -m app.core.errors` command loads the whole app to collect every AppError subclass
    ("app/core/error_registry.py", "app.main"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, absolute, with its line (relative imports resolved against the file)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from app.routers import population` imports the module app.routers.population
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            found.append((node.lineno, base))
    return found


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _app_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_the_walk_sees_the_app() -> None:
    names = {_module_name(path) for path in _app_files()}
    assert {"app.core.errors", "app.services.payments", "app.routers.population", "app.models"} <= names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_one_above_it(layer: str) -> None:
    offences = [
        f"{path.relative_to(APP.parent)}:{line} imports {imported}"
        for path in _app_files()
        if _within(_module_name(path), layer)
        for line, imported in _imports(path)
        if any(_within(imported, above) for above in FORBIDDEN[layer])
        and (str(path.relative_to(APP.parent)), imported) not in ALLOWED
    ]
    assert offences == []


def test_no_router_imports_another_router() -> None:
    """Shared web helpers live in app/web, shared rules in app/services: a router module is a leaf."""
    routers = {_module_name(path) for path in _app_files() if _within(_module_name(path), "app.routers")}
    leaves = {name for name in routers if not (APP.parent / name.replace(".", "/") / "__init__.py").exists()}
    offences = [
        f"{path.relative_to(APP.parent)}:{line} imports {imported}"
        for path in _app_files()
        if _module_name(path) in leaves
        for line, imported in _imports(path)
        if any(_within(imported, other) for other in leaves - {_module_name(path)})
    ]
    assert offences == []
