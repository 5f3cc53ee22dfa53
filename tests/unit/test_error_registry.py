"""The registry of error codes is complete and the README's error table is exactly it."""

import ast
from pathlib import Path

import app.main  # noqa: F401  (loads every module that defines an AppError)
from app.core.error_registry import README_BEGIN, README_END, markdown, registry
from app.core.errors import AUTHORIZE_ERRORS, OAUTH_ERRORS, AppError, CodedError

ROOT = Path(__file__).parents[2]
REGENERATE = "python -m app.core.errors --readme README.md"


def _coded_errors() -> dict[str, set[str]]:
    """The classes raised with a code as first argument, by name, with the codes each may carry."""
    classes: dict[str, set[str]] = {"OAuthError": set(OAUTH_ERRORS), "AuthorizeError": set(AUTHORIZE_ERRORS)}
    pending: list[type[AppError]] = [CodedError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not CodedError and cls.__module__.startswith("app."):
            classes[cls.__name__] = set(cls.codes)
    return classes


def test_the_readme_error_table_is_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_BEGIN in readme, f"the README lost its error-table markers: {REGENERATE}"
    assert README_END in readme, f"the README lost its error-table markers: {REGENERATE}"
    table = readme.split(README_BEGIN + "\n", 1)[1].split(README_END, 1)[0]
    assert table == markdown(), f"the README's error table differs from the code's registry; run `{REGENERATE}`"


def test_every_code_raised_by_name_is_in_the_registry() -> None:
    """Classes whose code is chosen per raise (CodedError, OAuthError, AuthorizeError) are raised only with a
    literal code of their own set, so the registry cannot miss one."""
    allowed = _coded_errors()
    strays = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in allowed):
                continue
            code = node.args[0] if node.args else None
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                strays.append(f"{where}: {node.func.id} without a literal code")
            elif code.value not in allowed[node.func.id]:
                strays.append(f"{where}: {node.func.id}({code.value!r}) is not in its registered codes")
    assert not strays, "\n".join(strays)


def test_each_code_has_one_status_and_a_meaning() -> None:
    entries = registry()  # raises when one code has two statuses
    assert len({(e.shape, e.code) for e in entries}) == len(entries)
    assert all(e.meaning.strip() and "|" not in e.meaning for e in entries)
    assert {"validation_error", "not_found", "method_not_allowed", "database_busy"} <= {e.code for e in entries}
