"""The catalogue of faults a test client can ask the sandbox to produce, once or until cleared."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError, NotFound
from app.core.versions import Area, VersionedCache, bump
from app.models import Scenario
from app.services.oidc.clients import find_client


class ScenarioName(StrEnum):
    """The faults a test client can arm (`POST /sandbox/scenarios`); what each does is in `CATALOGUE`."""

    ID_TOKEN_WRONG_ISSUER = "id_token_wrong_issuer"
    ID_TOKEN_WRONG_AUDIENCE = "id_token_wrong_audience"
    ID_TOKEN_BAD_SIGNATURE = "id_token_bad_signature"
    ID_TOKEN_EXPIRED = "id_token_expired"
    ID_TOKEN_NONCE_MISMATCH = "id_token_nonce_mismatch"
    TOKEN_UNAVAILABLE = "token_unavailable"
    TOKEN_SLOW = "token_slow"
    USER_CANCELS = "user_cancels"
    USER_DECLINES = "user_declines"
    PAYMENT_FAILS = "payment_fails"
    DPOP_NONCE = "dpop_nonce"


class Stage(StrEnum):
    """Where a scenario strikes: each place in the code takes (`take`) only the scenarios of its stage."""

    ID_TOKEN = "id_token"  # the ID token the token endpoint issues
    TOKEN_RESPONSE = "token_response"  # the token endpoint's answer as a whole
    AUTHORIZATION = "authorization"
    CONSENT = "consent"
    PAYMENT = "payment"
    DPOP_NONCE = "dpop_nonce"  # a DPoP proof at the token endpoint, PAR or a protected resource


# How the catalogue (GET /sandbox/scenarios) names each stage for the integrator.
WHERE = {
    Stage.ID_TOKEN: "token endpoint",
    Stage.TOKEN_RESPONSE: "token endpoint",
    Stage.AUTHORIZATION: "authorization endpoint",
    Stage.CONSENT: "consent",
    Stage.PAYMENT: "sandbox payment",
    Stage.DPOP_NONCE: "DPoP proofs: token endpoint, PAR, protected resources",
}


@dataclass(frozen=True)
class ScenarioSpec:
    name: ScenarioName
    stage: Stage
    effect: str

    @property
    def where(self) -> str:
        return WHERE[self.stage]


CATALOGUE: dict[ScenarioName, ScenarioSpec] = {
    s.name: s
    for s in (
        ScenarioSpec(ScenarioName.ID_TOKEN_WRONG_ISSUER, Stage.ID_TOKEN, "the ID token's `iss` is another issuer"),
        ScenarioSpec(ScenarioName.ID_TOKEN_WRONG_AUDIENCE, Stage.ID_TOKEN, "the ID token's `aud` is another client"),
        ScenarioSpec(ScenarioName.ID_TOKEN_BAD_SIGNATURE, Stage.ID_TOKEN, "the ID token's signature does not verify"),
        ScenarioSpec(ScenarioName.ID_TOKEN_EXPIRED, Stage.ID_TOKEN, "the ID token expired before it was issued"),
        ScenarioSpec(
            ScenarioName.ID_TOKEN_NONCE_MISMATCH, Stage.ID_TOKEN, "the ID token's `nonce` is not the request's"
        ),
        ScenarioSpec(
            ScenarioName.TOKEN_UNAVAILABLE, Stage.TOKEN_RESPONSE, "503 `temporarily_unavailable`, nothing issued"
        ),
        ScenarioSpec(ScenarioName.TOKEN_SLOW, Stage.TOKEN_RESPONSE, "the token endpoint answers after 3 seconds"),
        ScenarioSpec(ScenarioName.USER_CANCELS, Stage.AUTHORIZATION, "the user cancels: `access_denied` before login"),
        ScenarioSpec(
            ScenarioName.USER_DECLINES, Stage.CONSENT, "the user declines consent: `access_denied` after login"
        ),
        ScenarioSpec(ScenarioName.PAYMENT_FAILS, Stage.PAYMENT, "the next payment fails whatever the payer chooses"),
        ScenarioSpec(
            ScenarioName.DPOP_NONCE,
            Stage.DPOP_NONCE,
            "DPoP requests need a server nonce: `use_dpop_nonce` with `DPoP-Nonce` (RFC 9449 §8, §9): 400 at the "
            "token endpoint and PAR, each request using one `times`; 401 at protected resources while armed",
        ),
    )
}


BY_STAGE = {stage: frozenset(n for n, spec in CATALOGUE.items() if spec.stage is stage) for stage in Stage}
SLOW_SECONDS = 3


@dataclass(frozen=True)
class ArmedScenario:
    """A fault armed now: for one client or (`client_id` null) every test client."""

    id: int
    name: str
    client_id: str | None
    remaining: int | None
    created_at: datetime

    @classmethod
    def of(cls, row: Scenario) -> "ArmedScenario":
        return cls(row.id, row.name, row.client_id, row.remaining, row.created_at)


@dataclass(frozen=True)
class CatalogueEntry:
    name: str
    where: str
    effect: str


@dataclass(frozen=True)
class ScenarioState:
    """The catalogue of faults, and those armed now."""

    catalogue: list[CatalogueEntry]
    armed: list[ArmedScenario]


class UnknownScenario(AppError):
    status, code, title = 400, "unknown_scenario", "No such scenario"


def arm(db: Session, clock: Clock, name: str, client_id: str | None, times: int | None) -> ArmedScenario:
    if name not in CATALOGUE:
        raise UnknownScenario(f"{name!r} is not in the catalogue: {', '.join(CATALOGUE)}")
    if client_id is not None and find_client(db, client_id) is None:
        raise NotFound(f"no client {client_id!r}")
    scenario = Scenario(name=name, client_id=client_id, remaining=times, created_at=clock.now())
    db.add(scenario)
    db.flush()
    bump(db, Area.SCENARIOS)
    return ArmedScenario.of(scenario)


def _armed_names(db: Session) -> frozenset[str]:
    return frozenset(db.scalars(select(Scenario.name).distinct()))


# Most requests of most runs find nothing armed: they learn it from this cache without a query.
_armed = VersionedCache(Area.SCENARIOS, _armed_names)


def take(db: Session, client_id: str, stage: Stage) -> ScenarioName | None:
    """The armed scenario of this stage that applies to this client now, used up by one."""
    scenario = _applying(db, client_id, stage, lock=True)
    if scenario is None:
        return None
    if scenario.remaining is not None:
        scenario.remaining -= 1
        if scenario.remaining <= 0:
            db.delete(scenario)
            bump(db, Area.SCENARIOS)
    return ScenarioName(scenario.name)


def applies(db: Session, client_id: str, stage: Stage) -> bool:
    """Whether a scenario of this stage is armed for this client, without using it up: for reads, which write
    nothing (DPoP nonces at the protected resources)."""
    return _applying(db, client_id, stage, lock=False) is not None


def _applying(db: Session, client_id: str, stage: Stage, *, lock: bool) -> Scenario | None:
    names = BY_STAGE[stage]
    if not names & _armed.get(db):
        return None
    query = (
        select(Scenario)
        .where(Scenario.name.in_(names), or_(Scenario.client_id == client_id, Scenario.client_id.is_(None)))
        .order_by(Scenario.id)
    )
    return db.scalars(query.with_for_update() if lock else query).first()


def state(db: Session) -> ScenarioState:
    armed = db.scalars(select(Scenario).order_by(Scenario.id))
    return ScenarioState(
        catalogue=[CatalogueEntry(s.name, s.where, s.effect) for s in CATALOGUE.values()],
        armed=[ArmedScenario.of(row) for row in armed],
    )


def clear(db: Session) -> None:
    """Disarm every scenario."""
    db.execute(delete(Scenario))
    bump(db, Area.SCENARIOS)
