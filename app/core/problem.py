"""The RFC 9457 problem document every error is rendered as (the shape of `AppError` responses)."""

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """An error (RFC 9457). `code` is stable and machine-readable; extra members depend on the code."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    code: str
    request_id: str | None = None
