"""The web pages' own forms (app/routers/web/), each parsed as one model; a value that does not fit is shown by the
web error page. Procedure forms post the API's request models (app/schemas/residence.py, criminal_record.py).

Fields the page does not ask for (the CSRF token) are ignored, not refused: the CSRF check reads them first.
"""

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas.account import ChildRegistration
from app.schemas.residence import OwnerDecision, TemporaryResidenceAmendment

RECEIVER_NAME = r"^[A-Za-z0-9_.-]{1,60}$"


class PanelSignIn(BaseModel):
    """The sandbox panel's sign-in: the admin token."""

    admin_token: str = Field(max_length=200)


class ClockAdvanceForm(BaseModel):
    """How far the panel moves the sandbox clock."""

    days: int = Field(default=0, ge=0, le=3650)
    hours: int = Field(default=0, ge=0, le=24 * 3650)


class ReceiverForm(BaseModel):
    """Which receiver's deliveries the panel shows, and the secret their signatures are checked with (not kept)."""

    name: str = Field(pattern=RECEIVER_NAME)
    secret: str = Field(default="", max_length=200)


class WithdrawalForm(BaseModel):
    """The applicant's optional reason for withdrawing an application."""

    reason: str = Field(default="", max_length=1000)


class PaymentForm(BaseModel):
    """The sandbox payment page's choice."""

    outcome: Literal["succeed", "fail"]


class WebForm(BaseModel):
    """Posts an API request model from a page: a blank field is one left out, and the CSRF token is ignored.

    Put it last among the bases, so its configuration overrides the API model's `extra="forbid"`."""

    model_config = ConfigDict(extra="ignore")
    verbatim: ClassVar[frozenset[str]] = frozenset()  # fields taken as typed, spaces and all (a password)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_left_out(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        return {
            k: v.strip() if isinstance(v, str) and k not in cls.verbatim else v
            for k, v in data.items()
            if not _blank(v)
        }


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


class AmendmentForm(TemporaryResidenceAmendment, WebForm):
    """The applicant's answer to a request for supplementation (POST /v1/applications/{code}/resubmit)."""


class OwnerDecisionForm(OwnerDecision, WebForm):
    """The owner's consent or refusal (POST /v1/applications/{code}/owner-consent)."""


class ChildRegistrationForm(ChildRegistration, WebForm):
    """A parent registers their child's account (POST /v1/me/children/accounts)."""

    verbatim = frozenset({"password"})
