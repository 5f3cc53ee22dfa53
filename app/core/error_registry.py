"""The registry of every error code the API can return, and the README's error table generated from it.

`python -m app.core.errors --readme README.md` (or `-m app.core.error_registry`) rewrites the table; a test
checks that the README's table is the registry's.
"""

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import (
    AUTHORIZE_ERRORS,
    HTTP_ERRORS,
    OAUTH_ERRORS,
    AppError,
    CodedError,
    HttpError,
    OAuthError,
)


@dataclass(frozen=True)
class ErrorCode:
    status: int | None  # None: sent in a redirect to the client's redirect_uri, not as a response status
    code: str
    meaning: str
    shape: str  # "problem", "oauth" or "redirect"


# Codes the handlers produce themselves (not raised by name anywhere).
HANDLER_ERRORS = (
    ErrorCode(404, "not_found", "no route at this path, or nothing of that name (or not yours)", "problem"),
    ErrorCode(405, "method_not_allowed", "the path exists but not with this method", "problem"),
    ErrorCode(400, "bad_request", "a request the sandbox cannot act on (e.g. scopes a client may not have)", "problem"),
    ErrorCode(403, "forbidden", "this client may not use this API at all", "problem"),
    *(ErrorCode(status, code, title, "problem") for status, (code, title) in HTTP_ERRORS.items()),
    ErrorCode(None, "http_error", "any other HTTP error, with its own status", "problem"),
)


def _subclasses(cls: type[AppError]) -> Iterator[type[AppError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def registry() -> list[ErrorCode]:
    """Every error code the API can return, each once, ordered by shape, status and code.

    AppError subclasses are found among the loaded modules of `app`: import app.main first."""
    found: dict[tuple[str, str], ErrorCode] = {}

    def add(entry: ErrorCode) -> None:
        seen = found.setdefault((entry.shape, entry.code), entry)
        if seen.status != entry.status:
            raise ValueError(f"error code {entry.code!r} has two statuses: {seen.status} and {entry.status}")

    for entry in HANDLER_ERRORS:
        add(entry)
    classes: list[type[AppError]] = [AppError, *_subclasses(AppError)]
    for cls in classes:
        if not cls.in_api or not cls.__module__.startswith("app.") or cls in (OAuthError, HttpError):
            continue
        if issubclass(cls, CodedError):
            for code, meaning in cls.codes.items():
                add(ErrorCode(cls.status, code, meaning, "problem"))
        else:
            add(ErrorCode(cls.status, cls.code, cls.title, "problem"))
    for code, (status, meaning) in OAUTH_ERRORS.items():
        add(ErrorCode(status, code, meaning, "oauth"))
    for code, meaning in AUTHORIZE_ERRORS.items():
        add(ErrorCode(None, code, meaning, "redirect"))
    shapes = ("problem", "oauth", "redirect")
    return sorted(found.values(), key=lambda e: (shapes.index(e.shape), e.status or 999, e.code))


SHAPE_LABELS = {"problem": "problem+json", "oauth": "OAuth JSON", "redirect": "redirect"}
README_BEGIN = "<!-- error-codes:begin (generated: python -m app.core.errors --readme README.md) -->"
README_END = "<!-- error-codes:end -->"


def markdown() -> str:
    rows = ["| status | code | shape | meaning |", "| --- | --- | --- | --- |"]
    for e in registry():
        status = str(e.status) if e.status is not None else ("redirect" if e.shape == "redirect" else "varies")
        rows.append(f"| {status} | `{e.code}` | {SHAPE_LABELS[e.shape]} | {e.meaning} |")
    return "\n".join(rows) + "\n"


def readme_with_table(readme: str) -> str:
    """The README with the text between its error-code markers replaced by the registry's table."""
    pattern = re.compile(re.escape(README_BEGIN) + r"\n.*?" + re.escape(README_END), re.S)
    if not pattern.search(readme):
        raise ValueError(f"the README has no {README_BEGIN} … {README_END} section")
    return pattern.sub(lambda _m: f"{README_BEGIN}\n{markdown()}{README_END}", readme, count=1)


def main(argv: list[str]) -> int:
    import app.main  # noqa: F401  (loads every module that defines an AppError)

    if argv[:1] == ["--markdown"]:
        sys.stdout.write(markdown())
        return 0
    if len(argv) == 2 and argv[0] == "--readme":
        path = Path(argv[1])
        path.write_text(readme_with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stderr.write("usage: python -m app.core.errors --markdown | --readme README.md\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
