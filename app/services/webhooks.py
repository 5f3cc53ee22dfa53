"""Webhooks: subscriptions, the transactional outbox, and signed deliveries retried with backoff.

`emit()` only writes rows in the caller's transaction, so an event exists exactly when the change it
reports was committed; delivery happens later, outside any transition, and can never roll one back.
Signature: header `VNeID-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
"""

import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import httpx
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AppError, NotFound
from app.core.outbound import DestinationRefused, OutboundPolicy
from app.models import WebhookDelivery, WebhookEvent, WebhookSubscription

EVENT_TYPES = ("application.created", "application.status_changed", "document.issued", "consent.revoked")
RETRY_DELAYS = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
LEASE = timedelta(minutes=1)
SIGNATURE_HEADER = "VNeID-Signature"
TIMEOUT_SECONDS = 5
MAX_PARALLEL_DELIVERIES = 8


class IntegratorTokenRequired(AppError):
    """Subscriptions belong to the integrator: only the client's own credentials (client_credentials) manage them,
    never a citizen's token of that client, so an end user of a public client cannot read or delete them."""

    status, code, title = 403, "integrator_token_required", "The client's own token is required"


class UnknownEventType(AppError):
    status, code, title = 422, "unknown_event_type", "Unknown webhook event type"


@dataclass(frozen=True)
class Subscription:
    """A client's subscription as its owner sees it (never its secret, once created)."""

    id: str
    url: str
    events: list[str]
    created_at: datetime

    @classmethod
    def of(cls, row: WebhookSubscription) -> "Subscription":
        return cls(id=row.id, url=row.url, events=list(row.events), created_at=row.created_at)


@dataclass(frozen=True)
class NewSubscription(Subscription):
    """A subscription just made, with the key its deliveries are signed with."""

    secret: Annotated[str, Field(description="HMAC key of the VNeID-Signature header; shown only now.")]


@dataclass(frozen=True)
class Delivery:
    """One event's delivery to a subscription: its state and last attempt."""

    id: int
    event_id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None


def subscribe(
    db: Session, now: datetime, policy: OutboundPolicy, client_id: str, url: str, events: list[str]
) -> NewSubscription:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise UnknownEventType(f"unknown event types: {', '.join(unknown)}", known=list(EVENT_TYPES))
    policy.check(url)
    row = WebhookSubscription(
        id=uuid.uuid4().hex,
        client_id=client_id,
        url=url,
        events=sorted(set(events)),
        secret=secrets.token_hex(32),
        created_at=now,
    )
    db.add(row)
    db.flush()
    return NewSubscription(**vars(Subscription.of(row)), secret=row.secret)


def subscriptions(db: Session, client_id: str) -> list[Subscription]:
    rows = db.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.client_id == client_id, WebhookSubscription.deleted_at.is_(None))
        .order_by(WebhookSubscription.created_at)
    )
    return [Subscription.of(row) for row in rows]


def unsubscribe(db: Session, now: datetime, client_id: str, subscription_id: str) -> None:
    """Stop deliveries to one of the client's subscriptions; pending deliveries are not attempted any more."""
    _own_subscription(db, client_id, subscription_id).deleted_at = now


def deliveries(db: Session, client_id: str, subscription_id: str, limit: int, offset: int) -> list[Delivery]:
    """Delivery attempts of one of the client's subscriptions, newest first."""
    subscription = _own_subscription(db, client_id, subscription_id)
    rows = db.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        Delivery(
            id=row.id,
            event_id=row.event_id,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            delivered_at=row.delivered_at,
        )
        for row in rows
    ]


def _own_subscription(db: Session, client_id: str, subscription_id: str) -> WebhookSubscription:
    subscription = db.get(WebhookSubscription, subscription_id)
    if subscription is None or subscription.client_id != client_id or subscription.deleted_at is not None:
        raise NotFound("no such webhook subscription for this client")
    return subscription


def emit(db: Session, now: datetime, event_type: str, client_id: str | None, data: dict[str, Any]) -> None:
    """Write the event and one pending delivery per matching subscription, in the caller's transaction."""
    event = WebhookEvent(id=uuid.uuid4().hex, type=event_type, client_id=client_id, occurred_at=now, data=data)
    db.add(event)
    if client_id is None:
        return
    db.flush()
    for subscription in subscriptions(db, client_id):
        if event_type in subscription.events:
            db.add(
                WebhookDelivery(
                    subscription_id=subscription.id, event_id=event.id, status=PENDING, attempts=0, next_attempt_at=now
                )
            )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def body_of(event: WebhookEvent) -> bytes:
    return json.dumps(
        {
            "id": event.id,
            "type": event.type,
            "occurred_at": event.occurred_at.isoformat(),
            "data": event.data,
            "sandbox": True,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


@dataclass(frozen=True)
class _Attempt:
    delivery_id: int
    subscription_id: str
    url: str
    secret: str
    event_id: str
    event_type: str
    body: bytes


def deliver_due(
    sessions: Callable[[], Session], now: datetime, http: httpx.Client, policy: OutboundPolicy, limit: int = 20
) -> int:
    """Attempt the deliveries that are due; returns how many were attempted.

    Claimed in one short transaction (leased for a minute, so another worker skips them), posted with no
    transaction open (receivers in parallel, each subscription's events in order, each bounded by the client's
    timeout), and recorded in another: a slow receiver never holds the database nor delays another receiver.
    Each destination is checked again just before the POST.
    """
    with sessions() as db, db.begin():
        due = db.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        attempts = []
        for delivery in due:
            subscription = db.get_one(WebhookSubscription, delivery.subscription_id)
            event = db.get_one(WebhookEvent, delivery.event_id)
            delivery.next_attempt_at = now + LEASE
            attempts.append(
                _Attempt(
                    delivery.id,
                    subscription.id,
                    subscription.url,
                    subscription.secret,
                    event.id,
                    event.type,
                    body_of(event),
                )
            )
    by_subscription: dict[str, list[_Attempt]] = {}
    for attempt in attempts:
        by_subscription.setdefault(attempt.subscription_id, []).append(attempt)

    def post_in_order(queue: list[_Attempt]) -> list[tuple[_Attempt, tuple[int | None, str | None]]]:
        return [(attempt, _post(http, policy, attempt)) for attempt in queue]

    # Receivers in parallel, each one's events in order: a slow receiver delays only its own deliveries.
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL_DELIVERIES) as pool:
        results = [result for queue in pool.map(post_in_order, by_subscription.values()) for result in queue]
    with sessions() as db, db.begin():
        for attempt, (status_code, error) in results:
            _record(db.get_one(WebhookDelivery, attempt.delivery_id), now, status_code, error)
    return len(attempts)


def _post(http: httpx.Client, policy: OutboundPolicy, attempt: _Attempt) -> tuple[int | None, str | None]:
    try:
        policy.check(attempt.url)
    except DestinationRefused as refused:
        return None, refused.detail  # never connected: no status code tells what listens there
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(attempt.secret, int(time.time()), attempt.body),
        "VNeID-Event-Id": attempt.event_id,
        "VNeID-Event-Type": attempt.event_type,
        "User-Agent": "VNeID-Sandbox-Webhooks",
    }
    try:
        return http.post(attempt.url, content=attempt.body, headers=headers).status_code, None
    except httpx.HTTPError as exc:
        return None, (str(exc) or type(exc).__name__)[:500]


def _record(delivery: WebhookDelivery, now: datetime, status_code: int | None, error: str | None) -> None:
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = status_code, error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at = DELIVERED, now
    elif delivery.attempts > len(RETRY_DELAYS):
        delivery.status = FAILED
    else:
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
