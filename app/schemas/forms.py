"""The web pages' own forms (app/routers/web/), each parsed as one model; a value that does not fit is shown by the
web error page. Procedure forms post the API's request models (app/schemas/residence.py, criminal_record.py).

Fields the page does not ask for (the CSRF token) are ignored, not refused: the CSRF check reads them first.
"""

from typing import Literal

from pydantic import BaseModel, Field

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
