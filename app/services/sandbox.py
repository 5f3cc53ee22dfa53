"""Sandbox controls: first-start bootstrap, reset to the seed, personas, the admin token, test consents."""

import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.config import Settings
from app.core.errors import AppError, CitizenNotFound, NotFound
from app.core.keys import DOCUMENT_KEYS, KeyStore
from app.core.versions import Area, VersionedCache, bump
from app.models import (
    AccountEvent,
    Application,
    ApplicationEvent,
    AuthorizationCode,
    Citizen,
    Consent,
    Document,
    Grant,
    IdentityAccount,
    InboxMessage,
    LoginSession,
    LoginTransaction,
    Payment,
    PushedRequest,
    RefreshToken,
    RevokedToken,
    SandboxSetting,
    Scenario,
    SigningKey,
    UsedAssertion,
    UsedDpopProof,
    WebhookDelivery,
    WebhookEvent,
)
from app.services.identity import devices
from app.services.identity.accounts import ACR_BY_LEVEL, usable_account
from app.services.oidc import grants, login, sessions, tokens
from app.services.oidc.clients import find_client, seed_clients
from app.services.population.access import FIELDS_BY_SCOPE
from app.services.population.seeding import SeedSummary, clear_population, personas_document, seed_population

# What a reset clears, children before parents. Clients, keys and webhook subscriptions are configuration: kept.
RUNTIME_STATE = (
    WebhookDelivery,
    WebhookEvent,
    Document,
    Payment,
    ApplicationEvent,
    Application,
    AuthorizationCode,
    RefreshToken,
    Grant,
    LoginTransaction,
    LoginSession,
    PushedRequest,
    RevokedToken,
    UsedAssertion,
    UsedDpopProof,
    Scenario,
    InboxMessage,
    AccountEvent,
)
SEEDED = "seeded"
CLOCK_OFFSET = "clock_offset_seconds"
ADMIN_TOKEN = "admin_token"
HOOK_CHANNEL = "hook"  # the inbox channel of the webhook receiver's deliveries


class AdminTokenInvalid(AppError):
    status, code, title = 401, "invalid_admin_token", "Missing or wrong sandbox admin token"


@dataclass(frozen=True)
class Persona:
    """A fixed test identity and the state of its account (null fields: no account)."""

    key: str
    personal_id: str
    full_name: str
    sex: str
    date_of_birth: str
    account_level: int | None
    account_status: str | None
    lock_reason: str | None
    role: str | None
    description: str


@dataclass(frozen=True)
class GrantedConsent:
    """A citizen's consent to a client: what it may read, and why."""

    id: int
    personal_id: str
    client_id: str
    purpose: str
    scopes: list[str]
    granted_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class Bootstrap:
    admin_token: str
    seeded: SeedSummary | None


def _setting(db: Session, key: str) -> str | None:
    row = db.get(SandboxSetting, key)
    return row.value if row else None


def _put_setting(db: Session, key: str, value: str) -> None:
    db.merge(SandboxSetting(key=key, value=value))


def bootstrap(
    db: Session, settings: Settings, keys: KeyStore, clock: Clock, progress: Callable[[int, int], None] | None = None
) -> Bootstrap:
    """Make a migrated database ready: keys, clients, admin token, and the seed on first start only."""
    keys.ensure_keys(db, clock.now())
    keys.ensure_keys(db, clock.now(), DOCUMENT_KEYS, ("RS256",))
    seeded = seed_once(db, settings.seed, settings.population, progress)
    seed_clients(db, settings.public_url)
    token = settings.admin_token or _setting(db, ADMIN_TOKEN)
    if token is None:
        token = secrets.token_urlsafe(24)
    if not settings.admin_token:
        _put_setting(db, ADMIN_TOKEN, token)
    devices.device_key(db)  # made here, once, rather than by two workers' first sign-ins at once
    db.flush()
    return Bootstrap(token, seeded)


def seed_once(
    db: Session, seed: int, population: int, progress: Callable[[int, int], None] | None = None
) -> SeedSummary | None:
    """The seed population, unless the database already has it (a second start, or a world's template)."""
    if _setting(db, SEEDED) is not None:
        return None
    seeded = seed_population(db, seed, population, progress)
    _put_setting(db, SEEDED, f"seed={seed} population={population}")
    return seeded


def reset(db: Session, settings: Settings) -> SeedSummary:
    """Back to the seed state: the same citizens, accounts and clients, the clock at real time; audit trail,
    consents, sign-ins, tokens, scenarios, inbox, applications, documents and webhook events gone. Signing keys
    and webhook subscriptions stay, so cached JWKS and receivers keep working."""
    for model in RUNTIME_STATE:
        db.execute(delete(model))
    clear_population(db)
    summary = seed_population(db, settings.seed, settings.population)
    seed_clients(db, settings.public_url)
    _put_setting(db, SEEDED, f"seed={settings.seed} population={settings.population}")
    reset_clock(db)
    bump(db, *Area)
    return summary


def admin_token(db: Session, settings: Settings) -> str | None:
    """The admin token in force: the configured one, else the one generated at first start."""
    return settings.admin_token or _setting(db, ADMIN_TOKEN)


def check_admin_token(db: Session, settings: Settings, presented: str | None) -> None:
    expected = admin_token(db, settings)
    if not presented or not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise AdminTokenInvalid(
            "send the sandbox admin token printed at start-up as `Authorization: Bearer …`",
            headers={"WWW-Authenticate": 'Bearer realm="vneid-sandbox-admin"'},
        )


def list_personas(db: Session) -> list[Persona]:
    accounts = {
        a.personal_id: a
        for a in db.scalars(
            select(IdentityAccount).where(
                IdentityAccount.personal_id.in_([p["personal_id"] for p in personas_document()["personas"]])
            )
        )
    }
    out = []
    for persona in personas_document()["personas"]:
        account = accounts.get(persona["personal_id"])
        out.append(
            Persona(
                key=persona["key"],
                personal_id=persona["personal_id"],
                full_name=persona["full_name"],
                sex=persona["sex"],
                date_of_birth=persona["date_of_birth"],
                account_level=account.level if account else None,
                account_status=account.status if account else None,
                lock_reason=account.lock_reason if account else None,
                role=account.role if account else None,
                description=persona["description"],
            )
        )
    return out


def grant_consent(
    db: Session, clock: Clock, *, personal_id: str, client_id: str, purpose: str, scopes: list[str]
) -> GrantedConsent:
    """Record a citizen's consent directly, as the login flow's consent screen will."""
    if db.get(Citizen, personal_id) is None:
        raise CitizenNotFound(f"no citizen has the personal ID {personal_id}")
    if find_client(db, client_id) is None:
        raise NotFound(f"no client {client_id!r}")
    unknown = sorted(set(scopes) - set(FIELDS_BY_SCOPE))
    if unknown:
        raise AppError(f"not data scopes: {', '.join(unknown)}; choose from {', '.join(FIELDS_BY_SCOPE)}")
    consent = Consent(
        personal_id=personal_id,
        client_id=client_id,
        purpose=purpose,
        scopes=sorted(set(scopes)),
        granted_at=clock.now(),
    )
    db.add(consent)
    db.flush()
    return GrantedConsent(
        consent.id, personal_id, client_id, purpose, consent.scopes, consent.granted_at, consent.revoked_at
    )


def mint_tokens(
    db: Session, clock: Clock, keys: KeyStore, settings: Settings, *, persona: str, client_id: str, scope: str | None
) -> dict[str, object]:
    """Tokens for a persona and client as if the persona had just signed in and consented (no login page): the
    sign-in on real time (the tokens' clock), the consent on the sandbox clock (as every consent)."""
    personal_id = login.persona_id(persona)
    if personal_id is None:
        raise NotFound(f"no persona {persona!r}; see GET /sandbox/personas")
    client = find_client(db, client_id)
    if client is None:
        raise NotFound(f"no client {client_id!r}")
    requested = (scope or "openid profile").split()
    not_allowed = sorted(set(requested) - set(client.scopes))
    if not_allowed:
        raise AppError(f"scopes not allowed for {client_id}: {', '.join(not_allowed)}")
    account = usable_account(db, personal_id)
    now = datetime.now(UTC)
    session = sessions.new_session(db, personal_id, now=now)[0]
    grant = grants.new_grant(
        db,
        now,
        client=client,
        personal_id=personal_id,
        scope=" ".join(requested),
        acr=ACR_BY_LEVEL[account.level],
        amr=session.amr,
        auth_time=session.auth_time,
        session_id=session.sid,
    )
    login.record_consent(db, clock_now=clock.now(), client=client, scope=grant.scope, personal_id=personal_id)
    return tokens.token_response(db, keys, settings, client, grant, nonce=None, claims_request=None).sign()


@dataclass(frozen=True)
class PublishedKey:
    """A signing key of the JWKS, with its place in the rotation (next, active, retired) and purpose."""

    kid: str
    alg: str
    status: str
    purpose: str


def published_keys(db: Session, keys: KeyStore, settings: Settings) -> list[PublishedKey]:
    """The JWKS entries (as GET /.well-known/jwks.json lists them), each with its status."""
    published = keys.published(db, datetime.now(UTC), timedelta(seconds=settings.access_token_ttl_seconds))
    rows = {r.kid: r for r in db.scalars(select(SigningKey).where(SigningKey.kid.in_([k.kid for k in published])))}
    return [PublishedKey(k.kid, k.alg, rows[k.kid].status, rows[k.kid].purpose) for k in published]


def keep_delivery(db: Session, receiver: str, headers: dict[str, str], body: str) -> None:
    """What the sandbox's webhook receiver got, kept in the inbox (channel `hook`) for the panel to show."""
    kept = json.dumps({"headers": headers, "body": body}, ensure_ascii=False)
    db.add(InboxMessage(at=datetime.now(UTC), channel=HOOK_CHANNEL, recipient=receiver, personal_id=None, body=kept))


def _load_clock(db: Session) -> Clock:
    offset = _setting(db, CLOCK_OFFSET)
    return Clock(timedelta(seconds=int(offset))) if offset else Clock()


_clock = VersionedCache(Area.CLOCK, _load_clock)


def clock_for(db: Session) -> Clock:
    """The sandbox clock: real time moved by the offset QA set with /sandbox/clock (shared by all workers)."""
    return _clock.get(db)


def advance_clock(db: Session, by: timedelta) -> Clock:
    current = clock_for(db).offset
    _put_setting(db, CLOCK_OFFSET, str(int((current + by).total_seconds())))
    bump(db, Area.CLOCK)
    return clock_for(db)


def reset_clock(db: Session) -> Clock:
    _put_setting(db, CLOCK_OFFSET, "0")
    bump(db, Area.CLOCK)
    return Clock()
