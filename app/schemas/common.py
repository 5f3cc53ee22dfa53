"""Small shared input types, and the regular expressions that both enforce a rule and publish it in the schema.

A published `pattern` is read as ECMA-262 by clients and schemathesis, and enforced by pydantic's Rust engine: the
two agree on `$` (the end of the string, never before a final newline) and on explicit character classes, but not
on `\\d`, `\\w` or `\\s` (Unicode in Rust, ASCII in ECMA-262), so patterns here spell their classes out.
"""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field

# White space, exactly as str.isspace() says (and str.strip() strips), as the body of a character class.
WHITE_SPACE = r"\t-\r\x1c- \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NON_BLANK = rf"[^{WHITE_SPACE}]"  # a character that is not white space
NO_NUL = r"^[^\x00]*$"


def is_blank(value: str | None) -> bool:
    return value is None or re.search(NON_BLANK, value) is None


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it at the edge keeps such input a 4xx, never a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _nul_rule(schema: dict[str, Any]) -> None:
    # The schema says it too, so that clients (and schemathesis) know a NUL is refused; a field's own pattern,
    # which excludes NUL itself, takes its place.
    schema.setdefault("pattern", NO_NUL)


Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra=_nul_rule)]


def non_null(*fields: str) -> dict[str, Any]:
    """The schema of an object in which each of `fields` is present and not null (for cross-field rules)."""
    return {"required": list(fields), "properties": {field: {"not": {"type": "null"}} for field in fields}}
