"""Grants and what hangs off them: authorization codes, refresh tokens, and revocation of the lot."""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session

from app.core.errors import OAuthError
from app.core.versions import Area, bump
from app.models import AuthorizationCode, Client, Grant, RefreshToken

CODE_TTL = timedelta(seconds=60)
REFRESH_TTL = timedelta(days=30)
GRANT_REVOKED = "a new sign-in: consent withdrawn, a locked account, a replay or a logout revokes a grant"


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_grant(
    db: Session,
    now: datetime,
    *,
    client: Client,
    personal_id: str,
    scope: str,
    acr: str,
    amr: list[str],
    auth_time: datetime,
    session_id: str | None,
) -> Grant:
    grant = Grant(
        id=secrets.token_hex(16),
        client_id=client.client_id,
        personal_id=personal_id,
        scope=scope,
        acr=acr,
        amr=amr,
        auth_time=auth_time,
        session_id=session_id,
        created_at=now,
    )
    db.add(grant)
    db.flush()
    return grant


def issue_code(
    db: Session,
    now: datetime,
    grant: Grant,
    *,
    redirect_uri: str,
    nonce: str | None,
    code_challenge: str | None,
    claims: dict[str, Any] | None,
    dpop_jkt: str | None = None,
) -> str:
    code = secrets.token_urlsafe(32)
    db.add(
        AuthorizationCode(
            code_hash=token_hash(code),
            grant_id=grant.id,
            redirect_uri=redirect_uri,
            nonce=nonce,
            code_challenge=code_challenge,
            claims=claims,
            dpop_jkt=dpop_jkt,
            expires_at=now + CODE_TTL,
        )
    )
    return code


CODE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 §4.1


def redeem_code(
    db: Session,
    now: datetime,
    client: Client,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None,
    dpop_jkt: str | None = None,
) -> tuple[Grant, AuthorizationCode]:
    """Single use: a replayed code is refused and revokes every token issued from it (RFC 6749 §4.1.2)."""
    row = db.scalars(
        select(AuthorizationCode).where(AuthorizationCode.code_hash == token_hash(code)).with_for_update()
    ).first()
    row, grant = _one_use(db, now, client, row, CODE_USE, spent=row is not None and row.used_at is not None)
    if row.expires_at <= now:
        raise OAuthError(
            "invalid_grant",
            "authorization code expired",
            rule="RFC 6749 §4.1.2: codes are short-lived",
            passes=f"redeeming the code within {int(CODE_TTL.total_seconds())} s of the redirect",
        )
    if redirect_uri != row.redirect_uri:
        raise OAuthError(
            "invalid_grant",
            "redirect_uri does not match the authorization request",
            rule="RFC 6749 §4.1.3: the token request repeats the authorization request's redirect_uri exactly",
            passes=f"redirect_uri `{row.redirect_uri}`",
        )
    if row.code_challenge is not None:
        if not code_verifier:
            raise OAuthError(
                "invalid_grant",
                "code_verifier is required (PKCE)",
                rule="RFC 7636 §4.5: a code asked for with a code_challenge is redeemed with its code_verifier",
                passes="code_verifier: the secret whose S256 hash was the code_challenge",
            )
        if not CODE_VERIFIER.fullmatch(code_verifier):
            raise OAuthError(
                "invalid_request",
                "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                rule="RFC 7636 §4.1: the form of a code_verifier",
                passes="43 to 128 characters of A-Z a-z 0-9 - . _ ~",
            )
        if pkce_challenge(code_verifier) != row.code_challenge:
            raise OAuthError(
                "invalid_grant",
                "code_verifier does not match the code_challenge (PKCE)",
                rule="RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) equals the code_challenge",
                passes=f"the code_verifier whose S256 hash is `{row.code_challenge}`",
            )
    elif code_verifier:
        raise OAuthError(
            "invalid_grant",
            "code_verifier sent but the authorization request had no code_challenge",
            rule="RFC 9700 §4.8.2: a code_verifier without a code_challenge is refused (PKCE downgrade)",
            passes="no code_verifier, or a code_challenge in the authorization request",
        )
    if row.dpop_jkt is not None and row.dpop_jkt != dpop_jkt:
        raise OAuthError("invalid_grant", "the code is bound to another DPoP key (dpop_jkt of the request)")
    if grant.revoked_at is not None:
        raise OAuthError("invalid_grant", "the grant was revoked", passes=GRANT_REVOKED)
    row.used_at = now
    return grant, row


@dataclass(frozen=True)
class OneUse:
    """How a one-use credential (a code, a refresh token) is refused: unknown, or used a second time."""

    unknown: str
    unknown_passes: str  # {client}: the client's ID
    reuse_reason: str  # the grant's revoke_reason
    reused: str
    rule: str
    passes: str


CODE_USE = OneUse(
    unknown="unknown authorization code, or issued to another client",
    unknown_passes="the code sent to {client}'s redirect_uri by the authorization endpoint, as it came",
    reuse_reason="authorization_code_replay",
    reused="authorization code already used; the tokens it issued are revoked",
    rule="RFC 6749 §4.1.2: a code is used once; a second use revokes the tokens it issued",
    passes="a new authorization request, whose new code is redeemed once",
)
REFRESH_USE = OneUse(
    unknown="unknown refresh token, or issued to another client",
    unknown_passes="the latest refresh token issued to {client} for this grant",
    reuse_reason="refresh_token_reuse",
    reused="refresh token already used; every token of this grant is now revoked",
    rule="RFC 9700 §4.14.2: refresh tokens rotate; reuse of a rotated one revokes the grant",
    passes="the refresh token returned by the previous refresh, once; now a new sign-in",
)
OneUseRow = TypeVar("OneUseRow", AuthorizationCode, RefreshToken)


def _one_use(
    db: Session, now: datetime, client: Client, row: OneUseRow | None, use: OneUse, *, spent: bool
) -> tuple[OneUseRow, Grant]:
    """The credential's row and grant: another client's is as unknown as a missing one, and a second use revokes
    the whole grant before it is refused (the token endpoint commits that revocation before it answers)."""
    grant = db.get(Grant, row.grant_id) if row else None
    if row is None or grant is None or grant.client_id != client.client_id:
        raise OAuthError("invalid_grant", use.unknown, passes=use.unknown_passes.format(client=client.client_id))
    if spent:
        revoke_grant(db, now, grant, use.reuse_reason)
        raise OAuthError("invalid_grant", use.reused, rule=use.rule, passes=use.passes)
    return row, grant


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_refresh_token(db: Session, now: datetime, grant: Grant, scope: str, dpop_jkt: str | None = None) -> str:
    token = secrets.token_urlsafe(48)
    db.add(
        RefreshToken(
            token_hash=token_hash(token),
            grant_id=grant.id,
            scope=scope,
            dpop_jkt=dpop_jkt,
            expires_at=now + REFRESH_TTL,
        )
    )
    return token


def rotate_refresh_token(
    db: Session, now: datetime, client: Client, token: str, requested_scope: str | None, dpop_jkt: str | None = None
) -> tuple[Grant, str]:
    """Each refresh token works once; presenting a used one revokes the whole grant (reuse detection).
    Returns the grant and the scope of the new tokens (the same, or narrower when asked)."""
    row = db.scalars(select(RefreshToken).where(RefreshToken.token_hash == token_hash(token)).with_for_update()).first()
    row, grant = _one_use(db, now, client, row, REFRESH_USE, spent=row is not None and row.rotated_at is not None)
    if row.dpop_jkt is not None and row.dpop_jkt != dpop_jkt:
        raise OAuthError("invalid_grant", "this refresh token is bound to another DPoP key (RFC 9449 §5)")
    if grant.revoked_at is not None:
        raise OAuthError("invalid_grant", "the grant was revoked", passes=GRANT_REVOKED)
    if row.expires_at <= now:
        raise OAuthError(
            "invalid_grant",
            "refresh token expired",
            passes=f"a refresh within {REFRESH_TTL.days} days of its issue; now a new sign-in",
        )
    scope = row.scope
    if requested_scope:
        narrower = set(requested_scope.split())
        if not narrower <= set(scope.split()):
            raise OAuthError(
                "invalid_scope",
                "a refresh may only keep or narrow the granted scope",
                rule="RFC 6749 §6: a refresh cannot widen the scope the resource owner granted",
                passes=f"scopes among the grant's: {scope}",
            )
        scope = " ".join(sorted(narrower))
    row.rotated_at = now
    return grant, scope


def claims_request(db: Session, grant_id: str) -> dict[str, Any]:
    """The `claims` parameter of the authorization request that made the grant (kept with its code), or {}."""
    claims = db.scalars(select(AuthorizationCode.claims).where(AuthorizationCode.grant_id == grant_id)).first()
    return claims or {}


def find_refresh_grant(db: Session, token: str) -> Grant | None:
    row = db.get(RefreshToken, token_hash(token))
    return db.get(Grant, row.grant_id) if row else None


def revoke_grant(db: Session, now: datetime, grant: Grant, reason: str) -> None:
    if grant.revoked_at is None:
        grant.revoked_at, grant.revoke_reason = now, reason
        bump(db, Area.REVOCATIONS)


def revoke_session_grants(db: Session, now: datetime, session_id: str, reason: str) -> None:
    _revoke_where(db, now, Grant.session_id == session_id, reason)


def revoke_citizen_grants(db: Session, now: datetime, personal_id: str, reason: str) -> None:
    _revoke_where(db, now, Grant.personal_id == personal_id, reason)


def revoke_client_grants(db: Session, now: datetime, personal_id: str, client_id: str, reason: str) -> None:
    _revoke_where(db, now, and_(Grant.personal_id == personal_id, Grant.client_id == client_id), reason)


def _revoke_where(db: Session, now: datetime, which: ColumnElement[bool], reason: str) -> None:
    db.execute(update(Grant).where(which, Grant.revoked_at.is_(None)).values(revoked_at=now, revoke_reason=reason))
    bump(db, Area.REVOCATIONS)
