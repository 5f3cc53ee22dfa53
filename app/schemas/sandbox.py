"""Requests of the sandbox control API, and the responses its router composes (the rest are services' views)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.schemas.citizen import PersonalId
from app.schemas.common import Text


class ResetResult(BaseModel):
    citizens: int
    households: int
    accounts: int
    convictions: int
    seconds: float


class ConsentGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personal_id: PersonalId
    client_id: Text = Field(min_length=1, max_length=80, examples=["demo-bank"])
    purpose: Text = Field(min_length=5, max_length=200, examples=["Mở tài khoản thanh toán"])
    scopes: list[Text] = Field(min_length=1, max_length=5, examples=[["citizen.identity", "citizen.residence"]])


class Health(BaseModel):
    status: str = Field(description="`ok` when ready; `starting` while not every worker serves.")
    database: str
    sandbox: bool
    workers: int = Field(description="Worker processes this instance runs.")
    workers_serving: int = Field(description="Workers whose heartbeat is fresh.")
    version: str = Field(description="The sandbox's version, as in /openapi.json and CHANGELOG.md.")


class TokenMint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persona: Text = Field(
        min_length=1, max_length=12, description="Persona key (`an`) or personal ID.", examples=["an"]
    )
    client_id: Text = Field(min_length=1, max_length=80, examples=["demo-bank"])
    scope: Text | None = Field(default=None, max_length=500, examples=["openid profile citizen.identity"])


class ScenarioArm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=40, examples=["id_token_expired"])
    client_id: Text | None = Field(default=None, max_length=80, description="Only this client; all when omitted.")
    times: int | None = Field(default=1, ge=1, le=1000, description="How many times; null: until cleared.")


class KeyRotation(BaseModel):
    signing_kids: list[str]


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(default=0, ge=0, le=3650)
    hours: int = Field(default=0, ge=0, le=10_000)
    minutes: int = Field(default=0, ge=0, le=100_000)


class ClockState(BaseModel):
    now: datetime = Field(description="The sandbox's current time (Asia/Ho_Chi_Minh).")
    offset_seconds: int = Field(description="How far the sandbox clock is ahead of real time.")
