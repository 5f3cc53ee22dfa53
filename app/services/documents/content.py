"""What a signed document says: the content printed on the PDF and signed in the JWS."""

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

VerificationStatus = Literal["valid", "revoked", "tampered", "unknown"]


class DocumentField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(description='Printed label, Vietnamese first: "Họ và tên / Full name".')
    value: str = Field(description='Printed value; "//" where the form says there is none.')


MAX_COLUMNS = 12  # what an A4 portrait page can print legibly


class DocumentSection(BaseModel):
    """A table printed under the fields: convictions, household members, …"""

    model_config = ConfigDict(extra="forbid")

    heading: str
    columns: list[str] = Field(min_length=1, max_length=MAX_COLUMNS)
    rows: list[list[str]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> Self:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"section {self.heading!r}: a row has {len(row)} cells for {len(self.columns)} columns"
                )
        return self


class DocumentContent(BaseModel):
    """What a document says: printed on the PDF and signed in the JWS (claim `document`)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="Vietnamese title, as printed (in capitals on the PDF).")
    title_en: str = Field(description="English title.")
    fields: list[DocumentField] = Field(description="Label and value rows, in printed order.")
    sections: list[DocumentSection] = Field(default_factory=list, description="Tables printed after the fields.")
    data: dict[str, Any] = Field(
        default_factory=dict, description="Machine-readable content for relying parties (ISO dates, codes, IDs)."
    )
