"""Small shared input types."""

from typing import Annotated

from pydantic import AfterValidator, Field


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it at the edge keeps such input a 4xx, never a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# The schema says it too, so that clients (and schemathesis) know a NUL is refused.
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": r"^[^\x00]*$"})]
