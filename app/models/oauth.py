"""State of the OpenID Connect provider that must survive between requests and be shared by workers."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class Grant(Base):
    """What one login gave one client: its codes, refresh tokens and access tokens hang off it.

    Revoking the grant (logout, refresh-token reuse, code replay) revokes every token issued under it.
    """

    __tablename__ = "grant"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("client.client_id"))
    personal_id: Mapped[str] = mapped_column(ForeignKey("citizen.personal_id"), index=True)
    scope: Mapped[str] = mapped_column(String(500))
    acr: Mapped[str] = mapped_column(String(40))
    amr: Mapped[list[str]] = mapped_column(JSON)
    auth_time: Mapped[datetime] = mapped_column(UTCDateTime)
    session_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(60))


class AuthorizationCode(Base):
    __tablename__ = "authorization_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grant.id"))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    nonce: Mapped[str | None] = mapped_column(String(500))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    claims: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # RFC 9449 §10: the thumbprint of the DPoP key the code is bound to (`dpop_jkt` of the request).
    dpop_jkt: Mapped[str | None] = mapped_column(String(43))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RefreshToken(Base):
    __tablename__ = "refresh_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(ForeignKey("grant.id"), index=True)
    scope: Mapped[str] = mapped_column(String(500))
    # A public client's refresh token is bound to its DPoP key (RFC 9449 §5): only that key can use it.
    dpop_jkt: Mapped[str | None] = mapped_column(String(43))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RevokedToken(Base):
    """Access tokens revoked one by one (RFC 7009); kept until they would have expired anyway."""

    __tablename__ = "revoked_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UsedAssertion(Base):
    """`jti`s of private_key_jwt client assertions already used, so none is accepted twice."""

    __tablename__ = "used_assertion"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PushedRequest(Base):
    """A pushed authorization request (RFC 9126) waiting for its one use at the authorization endpoint."""

    __tablename__ = "pushed_request"

    reference_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("client.client_id"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UsedDpopProof(Base):
    """DPoP proofs already seen (hash of key thumbprint and `jti`), so none is accepted twice by any worker."""

    __tablename__ = "used_dpop_proof"

    proof_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginTransaction(Base):
    """An authorization request waiting for the citizen to sign in, confirm the code and consent."""

    __tablename__ = "login_transaction"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("client.client_id"))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    stage: Mapped[str] = mapped_column(String(10))
    personal_id: Mapped[str | None] = mapped_column(String(12))
    session_sid: Mapped[str | None] = mapped_column(String(32))
    otp_hash: Mapped[str | None] = mapped_column(String(200))
    # The browser that started the sign-in (app/web/csrf.py `binding`): only it may take the next steps.
    browser_binding: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginSession(Base):
    """The citizen's single sign-on session at the provider (browser cookie), for prompt and max_age."""

    __tablename__ = "login_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    sid: Mapped[str] = mapped_column(String(32), unique=True)
    personal_id: Mapped[str] = mapped_column(ForeignKey("citizen.personal_id"))
    auth_time: Mapped[datetime] = mapped_column(UTCDateTime)
    amr: Mapped[list[str]] = mapped_column(JSON)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)  # for the idle timeout
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Scenario(Base):
    """A fault the sandbox was told to produce for a client (or all), once, some times, or until cleared."""

    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str | None] = mapped_column(String(80))
    remaining: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
