"""Relying parties (clients) registered with the sandbox's OAuth 2.0 / OpenID Connect provider."""

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Client(Base):
    __tablename__ = "client"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # business (reads with the citizen's consent), agency (reads with a stated legal purpose), public
    kind: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str | None] = mapped_column(String(128))
    auth_methods: Mapped[list[str]] = mapped_column(JSON)
    grant_types: Mapped[list[str]] = mapped_column(JSON)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    jwks: Mapped[dict | None] = mapped_column(JSON)
