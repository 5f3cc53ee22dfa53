"""Shapes of sandbox payments of application fees."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PaymentStatus = Literal["pending", "succeeded", "failed", "expired", "cancelled"]


class PaymentCompletion(BaseModel):
    """What the payer does on the sandbox payment page."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["succeed", "fail"] = Field(description="Pay (`succeed`) or give up / be declined (`fail`).")


class PaymentPublic(BaseModel):
    """A payment of an application's fee."""

    model_config = ConfigDict(from_attributes=True)  # built from the service's PaymentView

    payment_id: str
    application_code: str
    application_status: str = Field(description="The application's status after this call.")
    amount_vnd: int
    status: PaymentStatus = Field(
        description="`pending` until the payer completes it; `succeeded`, `failed`, `expired` (not completed "
        "within 30 minutes on the sandbox clock) or `cancelled` (the application was withdrawn or expired)."
    )
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None
    pay_url: str = Field(description="The sandbox payment page: complete it with POST {pay_url}/complete.")
