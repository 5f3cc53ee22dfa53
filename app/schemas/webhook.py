"""Requests of the webhook subscription API (its responses are the views of app/services/webhooks.py)."""

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from app.schemas.common import Text


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl = Field(description="Where events are POSTed (http or https).")
    events: list[Text] = Field(min_length=1, max_length=10, examples=[["application.status_changed"]])


class OperatorSubscriptionCreate(SubscriptionCreate):
    """A subscription the sandbox operator makes for any client (the VNeID app and public clients included)."""

    client_id: Text = Field(min_length=1, max_length=80, examples=["vneid-app"])
