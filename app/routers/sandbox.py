"""Sandbox controls for QA and demos, behind the admin token."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime

from app.core import journal
from app.core.clock import Clock
from app.core.errors import NotFound, problem_responses
from app.core.outbound import OutboundPolicy
from app.deps import AdminDep, ClockDep, EnvDep, KeysDep, SessionDep, SettingsDep, writes
from app.schemas.common import Text
from app.schemas.oauth import ClientRegistration
from app.schemas.sandbox import ClockAdvance, ClockState, ConsentGrant, KeyRotation, ResetResult, ScenarioArm, TokenMint
from app.schemas.webhook import OperatorSubscriptionCreate
from app.services import payments, sandbox, webhooks
from app.services.identity import otp
from app.services.journal import JournalEntry, read_journal
from app.services.oidc import clients, scenarios

router = APIRouter(prefix="/sandbox", tags=["Sandbox controls"], dependencies=[AdminDep])


@router.post("/reset", response_model=ResetResult, name="sandbox.reset", responses=problem_responses(401))
def reset(db: SessionDep, settings: SettingsDep) -> ResetResult:
    """Restore the seed state: the same citizens and accounts as on first start (same VNEID_SEED);
    audit trail and consents are cleared. Signing keys are kept so cached JWKS stay valid."""
    return ResetResult.model_validate(sandbox.reset(db, settings), from_attributes=True)


@router.get(
    "/personas", response_model=list[sandbox.Persona], name="sandbox.personas", responses=problem_responses(401)
)
def personas(db: SessionDep) -> list[sandbox.Persona]:
    """The fixed test identities (password `Sandbox@2026`, one-time code `123456`)."""
    return sandbox.list_personas(db)


@router.post(
    "/consents",
    response_model=sandbox.GrantedConsent,
    status_code=201,
    name="sandbox.grant_consent",
    responses=problem_responses(400, 401, 404, 422),
)
def grant_consent(body: ConsentGrant, db: SessionDep, clock: ClockDep) -> sandbox.GrantedConsent:
    """Record a citizen's consent for a business client, as if the citizen had granted it on VNeID."""
    return sandbox.grant_consent(
        db, clock, personal_id=body.personal_id, client_id=body.client_id, purpose=body.purpose, scopes=body.scopes
    )


@router.post("/tokens", name="sandbox.mint_tokens", responses=problem_responses(400, 401, 403, 404, 422))
def mint_tokens(
    body: TokenMint, db: SessionDep, keys: KeysDep, settings: SettingsDep, clock: ClockDep
) -> dict[str, object]:
    """Tokens for a persona and a client without the login page, as if the persona had signed in and
    consented: access token, ID token (with `openid`) and refresh token (if the client may refresh).
    Locked, deceased and account-less personas get their documented 403 (`account_locked`, …)."""
    return sandbox.mint_tokens(
        db, clock, keys, settings, persona=body.persona, client_id=body.client_id, scope=body.scope
    )


@router.get(
    "/scenarios", response_model=scenarios.ScenarioState, name="sandbox.scenarios", responses=problem_responses(401)
)
def list_scenarios(db: SessionDep) -> scenarios.ScenarioState:
    """The catalogue of faults the sandbox can produce for test clients, and those armed now."""
    return scenarios.state(db)


@router.post(
    "/scenarios",
    response_model=scenarios.ArmedScenario,
    status_code=201,
    name="sandbox.arm_scenario",
    responses=problem_responses(400, 401, 404, 422),
)
def arm_scenario(body: ScenarioArm, db: SessionDep, clock: ClockDep) -> scenarios.ArmedScenario:
    """Arm a fault for one client (or all test clients), once by default, `times` times, or until cleared
    (`times: null`)."""
    return scenarios.arm(db, clock, body.name, body.client_id, body.times)


@router.delete("/scenarios", status_code=204, name="sandbox.clear_scenarios", responses=problem_responses(401))
def clear_scenarios(db: SessionDep) -> None:
    """Disarm every scenario."""
    scenarios.clear(db)


@router.post(
    "/webhooks",
    status_code=201,
    response_model=webhooks.NewSubscription,
    name="sandbox.subscribe_webhook",
    responses=problem_responses(401, 404, 422),
)
def subscribe_webhook(
    body: OperatorSubscriptionCreate, db: SessionDep, clock: ClockDep, settings: SettingsDep
) -> webhooks.NewSubscription:
    """Subscribe any client to events, as its integrator would with `POST /v1/webhooks`: the VNeID app (to watch
    procedures filed in it) and public clients, which have no credentials of their own. Same response, secret
    included."""
    if clients.find_client(db, body.client_id) is None:
        raise NotFound(f"no client {body.client_id!r}")
    return webhooks.subscribe(db, clock.now(), OutboundPolicy.of(settings), body.client_id, str(body.url), body.events)


@router.post("/keys/rotate", response_model=KeyRotation, name="sandbox.rotate_keys", responses=problem_responses(401))
def rotate_keys(db: SessionDep, keys: KeysDep) -> KeyRotation:
    """Rotate the token signing keys: the already-published next key starts signing, the old key stays in the
    JWKS until tokens it signed have expired, and a new next key is published."""
    return KeyRotation(signing_kids=keys.rotate(db, datetime.now(UTC)))  # JOSE: real time


@router.get("/inbox", response_model=list[otp.SentMessage], name="sandbox.inbox", responses=problem_responses(401, 422))
def inbox(
    db: SessionDep,
    personal_id: Annotated[Text | None, Query(max_length=12)] = None,
    recipient: Annotated[Text | None, Query(max_length=120)] = None,
) -> list[otp.SentMessage]:
    """SMS and e-mails the sandbox "sent" (one-time codes), newest first: personas' codes are always 123456,
    everyone else's are random and readable here."""
    return otp.inbox(db, personal_id=personal_id, recipient=recipient)


@router.get(
    "/journal",
    response_model=list[JournalEntry],
    name="sandbox.journal",
    responses=problem_responses(401, 422),
)
@writes
def get_journal(
    request: Request,
    db: SessionDep,
    client: Annotated[Text | None, Query(max_length=80, description="Only this client's requests.")] = None,
    status: Annotated[
        str | None, Query(pattern=r"^[1-5]([0-9][0-9]|xx)$", description="A status (`400`) or a class (`4xx`).")
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="Only requests answered at or after this time.")] = None,
    limit: Annotated[int, Query(ge=1, le=journal.JOURNAL_SIZE)] = 100,
) -> list[JournalEntry]:
    """The request journal of this world, newest first: every request the sandbox answered (method, path with
    secrets redacted, status, error code, latency, request id, client and persona), and for each refusal an
    `explanation` naming the rule and what would pass. The last 1,000 requests are kept; a request shows here
    within half a second (at once when read through the worker that answered it)."""
    journal.flush_into(db, request.scope)
    return read_journal(db, client_id=client, status=status, since=since, limit=limit)


@router.get("/clock", response_model=ClockState, name="sandbox.clock", responses=problem_responses(401))
def get_clock(clock: ClockDep) -> ClockState:
    """The sandbox clock that every deadline, expiry and timestamp of a procedure follows."""
    return _clock_state(clock)


@router.post(
    "/clock/advance", response_model=ClockState, name="sandbox.advance_clock", responses=problem_responses(401, 422)
)
def advance_clock(body: ClockAdvance, env: EnvDep) -> ClockState:
    """Move the sandbox clock forward (it never goes back but by reset): deadlines fall due, payments and
    temporary residences expire. Tokens keep real time, so integrations stay valid."""
    clock = sandbox.advance_clock(env.db, timedelta(days=body.days, hours=body.hours, minutes=body.minutes))
    payments.expire_due(replace(env, clock=clock))  # at the new time
    return _clock_state(clock)


@router.post("/clock/reset", response_model=ClockState, name="sandbox.reset_clock", responses=problem_responses(401))
def reset_clock(db: SessionDep) -> ClockState:
    """Back to real time."""
    return _clock_state(sandbox.reset_clock(db))


def _clock_state(clock: Clock) -> ClockState:
    return ClockState(now=clock.now(), offset_seconds=int(clock.offset.total_seconds()))


@router.post(
    "/clients",
    response_model=clients.RegisteredClient,
    status_code=201,
    name="sandbox.register_client",
    responses=problem_responses(401, 409, 422),
)
def register_client(body: ClientRegistration, db: SessionDep) -> clients.RegisteredClient:
    """Register a client of your own: secrets (generated, shown once), `private_key_jwt` with your `jwks` or
    `jwks_uri`, or a public PKCE client. Reset keeps it."""
    return clients.register_client(db, clients.ClientMetadata(**body.model_dump(mode="json", exclude_none=True)))
