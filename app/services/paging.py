"""Pages of a list that services return: how a page says where the next one starts."""

from typing import Annotated

from pydantic import Field

NextOffset = Annotated[
    int | None, Field(description="Pass as `offset` for the next (older) page; null on the last page.")
]
