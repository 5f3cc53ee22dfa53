"""The catalogue of faults a test client can ask the sandbox to produce, once or until cleared."""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError, NotFound
from app.core.versions import Area, VersionedCache, bump
from app.models import Scenario
from app.services.oidc.clients import find_client


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    where: str
    effect: str


CATALOGUE = {
    s.name: s
    for s in (
        ScenarioSpec("id_token_wrong_issuer", "token endpoint", "the ID token's `iss` is another issuer"),
        ScenarioSpec("id_token_wrong_audience", "token endpoint", "the ID token's `aud` is another client"),
        ScenarioSpec("id_token_bad_signature", "token endpoint", "the ID token's signature does not verify"),
        ScenarioSpec("id_token_expired", "token endpoint", "the ID token expired before it was issued"),
        ScenarioSpec("id_token_nonce_mismatch", "token endpoint", "the ID token's `nonce` is not the request's"),
        ScenarioSpec("token_unavailable", "token endpoint", "503 `temporarily_unavailable`, nothing issued"),
        ScenarioSpec("token_slow", "token endpoint", "the token endpoint answers after 3 seconds"),
        ScenarioSpec("user_cancels", "authorization endpoint", "the user cancels: `access_denied` before login"),
        ScenarioSpec("user_declines", "consent", "the user declines consent: `access_denied` after login"),
        ScenarioSpec("payment_fails", "sandbox payment", "the next payment fails whatever the payer chooses"),
    )
}
SLOW_SECONDS = 3


class UnknownScenario(AppError):
    status, code, title = 400, "unknown_scenario", "No such scenario"


def arm(db: Session, clock: Clock, name: str, client_id: str | None, times: int | None) -> Scenario:
    if name not in CATALOGUE:
        raise UnknownScenario(f"{name!r} is not in the catalogue: {', '.join(CATALOGUE)}")
    if client_id is not None and find_client(db, client_id) is None:
        raise NotFound(f"no client {client_id!r}")
    scenario = Scenario(name=name, client_id=client_id, remaining=times, created_at=clock.now())
    db.add(scenario)
    db.flush()
    bump(db, Area.SCENARIOS)
    return scenario


def _armed_names(db: Session) -> frozenset[str]:
    return frozenset(db.scalars(select(Scenario.name).distinct()))


# Most requests of most runs find nothing armed: they learn it from this cache without a query.
_armed = VersionedCache(Area.SCENARIOS, _armed_names)


def take(db: Session, client_id: str, names: frozenset[str]) -> str | None:
    """The armed scenario among `names` that applies to this client now, used up by one."""
    if not names & _armed.get(db):
        return None
    scenario = db.scalars(
        select(Scenario)
        .where(Scenario.name.in_(names), or_(Scenario.client_id == client_id, Scenario.client_id.is_(None)))
        .order_by(Scenario.id)
        .with_for_update()
    ).first()
    if scenario is None:
        return None
    if scenario.remaining is not None:
        scenario.remaining -= 1
        if scenario.remaining <= 0:
            db.delete(scenario)
            bump(db, Area.SCENARIOS)
    return scenario.name


def armed(db: Session) -> list[Scenario]:
    return list(db.scalars(select(Scenario).order_by(Scenario.id)))


def clear(db: Session, scenario_id: int | None = None) -> None:
    for scenario in armed(db):
        if scenario_id is None or scenario.id == scenario_id:
            db.delete(scenario)
    bump(db, Area.SCENARIOS)
