"""Pushed authorization requests (RFC 9126), kept for their one use: the client posts its authorization request
to the server (checked by authorize.push_request), and sends the browser with only a `request_uri` that works
once, for the same client, within `REQUEST_URI_TTL`."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Client, PushedRequest

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
REQUEST_URI_TTL = timedelta(seconds=60)


class InvalidRequestUri(Exception):
    """`invalid_request_uri`: unknown, used, expired, or pushed by another client. Shown as a page: the redirect
    URI is inside the pushed request, so it cannot be trusted."""


def store(db: Session, client: Client, params: dict[str, str]) -> dict[str, Any]:
    """Keep checked parameters for one use; the PAR response body (201)."""
    reference = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    db.execute(delete(PushedRequest).where(PushedRequest.expires_at < now))
    db.add(
        PushedRequest(
            reference_hash=_hash(reference), client_id=client.client_id, params=params, expires_at=now + REQUEST_URI_TTL
        )
    )
    return {"request_uri": REQUEST_URI_PREFIX + reference, "expires_in": int(REQUEST_URI_TTL.total_seconds())}


def take(db: Session, client: Client, request_uri: str) -> dict[str, str]:
    """The pushed parameters behind `request_uri`, used up whether they are still good or not."""
    row = db.scalars(
        select(PushedRequest)
        .where(PushedRequest.reference_hash == _hash(request_uri.removeprefix(REQUEST_URI_PREFIX)))
        .with_for_update()
    ).first()
    if row is None or not request_uri.startswith(REQUEST_URI_PREFIX):
        raise InvalidRequestUri("request_uri is unknown or was already used")
    if row.client_id != client.client_id:
        raise InvalidRequestUri("request_uri was pushed by another client")
    db.delete(row)
    if row.expires_at <= datetime.now(UTC):
        raise InvalidRequestUri(f"request_uri expired (it lives {int(REQUEST_URI_TTL.total_seconds())} s)")
    return dict(row.params)


def _hash(reference: str) -> str:
    return hashlib.sha256(reference.encode()).hexdigest()
