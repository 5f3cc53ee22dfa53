"""Shapes of the sandbox worlds API."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.services.worlds import MAX_TTL_SECONDS, POPULATION_LIMIT


class WorldCreate(BaseModel):
    """Every field is optional: the sandbox's own seed, its population (at most the limit), an hour's ttl."""

    model_config = ConfigDict(extra="forbid")

    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Same seed, same citizens everywhere.")
    population: int | None = Field(
        default=None,
        ge=0,
        le=POPULATION_LIMIT,
        description=f"Generated citizens besides the personas (≤ {POPULATION_LIMIT:,}).",
    )
    ttl: int | None = Field(
        default=None,
        ge=60,
        le=MAX_TTL_SECONDS,
        description="Seconds the world lives without a request before it expires (default 3600).",
    )


class WorldPublic(BaseModel):
    id: str = Field(examples=["3f9c0a51b2de"])
    base_url: str = Field(
        description="The world's root: every path of the sandbox under it; also its OIDC issuer.",
        examples=["http://127.0.0.1:8000/w/3f9c0a51b2de"],
    )
    issuer: str
    seed: int
    population: int
    ttl_seconds: int
    created_at: datetime
    expires_at: datetime = Field(description="When it expires if no request reaches it before.")


class WorldCreated(WorldPublic):
    admin_token: str = Field(description="The world's own admin token for its /sandbox controls; shown once.")
