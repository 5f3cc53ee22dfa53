"""Webhook subscriptions of a client, and the delivery attempts it can inspect."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.core.errors import problem_responses
from app.core.outbound import OutboundPolicy
from app.deps import ClockDep, IntegratorCaller, SessionDep, SettingsDep
from app.schemas.webhook import SubscriptionCreate
from app.services import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["Webhooks"])


@router.post(
    "",
    status_code=201,
    response_model=webhooks.NewSubscription,
    name="webhooks.subscribe",
    responses=problem_responses(401, 403, 422),
)
def subscribe(
    body: SubscriptionCreate, caller: IntegratorCaller, db: SessionDep, clock: ClockDep, settings: SettingsDep
) -> webhooks.NewSubscription:
    """Subscribe your client to events: `application.created`, `application.status_changed` and `document.issued`
    of applications filed through your client, and `consent.revoked` of consents given to it. Subscriptions are
    managed with your client's own `client_credentials` token (403 `integrator_token_required` for a citizen's
    token); a public client's subscriptions are made by the sandbox operator with `POST /sandbox/webhooks`.

    Each delivery is a POST of `{"id", "type", "occurred_at", "data", "sandbox"}` with headers `VNeID-Event-Id`,
    `VNeID-Event-Type` and `VNeID-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
    Verify by recomputing the HMAC over the raw body and rejecting timestamps older than 5 minutes. Any 2xx
    answer acknowledges; otherwise it is retried after 10 s, 30 s, 2 min, 10 min, 1 h and 6 h."""
    return webhooks.subscribe(
        db, clock.now(), OutboundPolicy.of(settings), caller.client_id, str(body.url), body.events
    )


@router.get("", response_model=list[webhooks.Subscription], name="webhooks.list", responses=problem_responses(401, 403))
def list_subscriptions(caller: IntegratorCaller, db: SessionDep) -> list[webhooks.Subscription]:
    """Your client's active subscriptions."""
    return webhooks.subscriptions(db, caller.client_id)


@router.delete(
    "/{subscription_id}", status_code=204, name="webhooks.delete", responses=problem_responses(401, 403, 404)
)
def delete_subscription(subscription_id: str, caller: IntegratorCaller, db: SessionDep, clock: ClockDep) -> None:
    """Stop deliveries to this subscription."""
    webhooks.unsubscribe(db, clock.now(), caller.client_id, subscription_id)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=list[webhooks.Delivery],
    name="webhooks.deliveries",
    responses=problem_responses(401, 403, 404, 422),
)
def deliveries(
    subscription_id: str,
    caller: IntegratorCaller,
    db: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[webhooks.Delivery]:
    """Delivery attempts of this subscription, newest first: status, attempts, last HTTP status or error."""
    return webhooks.deliveries(db, caller.client_id, subscription_id, limit, offset)
