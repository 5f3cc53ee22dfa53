"""Shapes of the webhook subscription API."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from app.schemas.common import Text


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl = Field(description="Where events are POSTed (http or https).")
    events: list[Text] = Field(min_length=1, max_length=10, examples=[["application.status_changed"]])


class OperatorSubscriptionCreate(SubscriptionCreate):
    """A subscription the sandbox operator makes for any client (the VNeID app and public clients included)."""

    client_id: Text = Field(min_length=1, max_length=80, examples=["vneid-app"])


class SubscriptionPublic(BaseModel):
    id: str
    url: str
    events: list[str]
    created_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(description="HMAC key of the VNeID-Signature header; shown only now.")


class DeliveryPublic(BaseModel):
    id: int
    event_id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
