"""The sandbox's settings: one pydantic-settings class read from `VNEID_*` environment variables."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, IPvAnyNetwork, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VNEID_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'vneid-sandbox.db'}",
        description="SQLAlchemy URL; SQLite file under ./var/ by default, postgresql://… for PostgreSQL.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    issuer: str | None = Field(default=None, description="Public base URL; defaults to http://HOST:PORT.")
    seed: int = Field(default=6, description="Seed of the synthetic population: same seed, same citizens.")
    population: int = Field(default=10_000, ge=0, le=5_000_000, description="Synthetic citizens on first start.")
    admin_token: str | None = Field(default=None, description="Bearer token of /sandbox; generated when unset.")
    access_token_ttl_seconds: int = Field(default=300, ge=30, le=86_400, description="Access and ID tokens.")
    sso_idle_minutes: int = Field(
        default=30, ge=1, le=1440, description="A sign-in session unused this long ends (single sign-on)."
    )
    sso_max_hours: int = Field(
        default=12, ge=1, le=720, description="Every sign-in session ends this long after the sign-in."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (comma-separated, or *) of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed; from anyone else those headers are ignored.",
    )
    default_persona: str | None = Field(
        default=None, description="Persona (key or personal ID) that test clients sign in when no login_hint is sent."
    )
    log_level: str = "INFO"
    webhook_dispatcher: bool = Field(default=True, description="Deliver webhooks from a background thread.")
    workers: int | None = Field(default=None, ge=1, le=64, description="Worker processes; default one per core.")
    max_concurrency: int = Field(
        default=16, ge=1, le=256, description="Requests a worker runs at once; the others wait in line."
    )
    queue_seconds: float = Field(
        default=10, gt=0, le=300, description="Longest wait in line before 503 with Retry-After."
    )
    outbound_allowed_networks: Annotated[list[IPvAnyNetwork], NoDecode] = Field(
        default_factory=list,
        description="Networks (CIDR, comma-separated) webhooks and jwks_uri may reach besides public addresses.",
    )
    instance_id: str | None = Field(
        default=None, description="Set by `serve` for its workers: their heartbeats make /healthz ready."
    )

    @field_validator("outbound_allowed_networks", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @property
    def public_url(self) -> str:
        if self.issuer:
            return self.issuer.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def worker_count(self) -> int:
        """Worker processes to start: as configured, else one per core this process may use (1 in memory)."""
        if ":memory:" in self.database_url or self.database_url.rstrip("/").endswith("sqlite:"):
            return 1
        return self.workers or len(os.sched_getaffinity(0))

    @property
    def api_audience(self) -> str:
        """`aud` of access tokens for the sandbox's own APIs (RFC 9068)."""
        return f"{self.public_url}/v1"


@lru_cache
def get_settings() -> Settings:
    return Settings()
