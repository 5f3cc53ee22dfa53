"""Identity verification: does a claimed identity match the population database? (never discloses it)"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.models import Citizen
from app.services.callers import ClientCaller
from app.services.population.access import VERIFY_SCOPE, require_scope
from app.services.population.audit import VERIFY, record_accesses, tariff_for
from app.services.population.names import fold_name

CLAIMABLE_FIELDS = ("full_name", "date_of_birth", "sex")


class ClaimedIdentity(Protocol):
    """An identity someone claims (the API's `ClaimedIdentity` request is one): None where not claimed."""

    @property
    def personal_id(self) -> str: ...
    @property
    def full_name(self) -> str | None: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def sex(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Whether one claim matches the record; rendered as the API's `VerificationResult`."""

    personal_id: str
    match: bool
    found: bool
    mismatched_fields: list[str]
    deceased: bool | None  # only on a match


@dataclass(frozen=True, slots=True)
class VerificationSummary:
    total: int
    matched: int
    mismatched: int
    not_found: int
    fee_vnd: int
    fee_rule: str
    fee_source: str
    request_id: str | None


@dataclass(frozen=True, slots=True)
class VerificationBatchResult:
    results: list[VerificationResult]
    summary: VerificationSummary


def verify_identities(
    db: Session,
    clock: Clock,
    caller: ClientCaller,
    claims: Sequence[ClaimedIdentity],
    *,
    purpose: str | None,
    request_id: str | None,
) -> VerificationBatchResult:
    require_scope(caller, VERIFY_SCOPE)
    wanted = {c.personal_id for c in claims}
    records = {c.personal_id: c for c in db.scalars(select(Citizen).where(Citizen.personal_id.in_(wanted)))}
    results = [_compare(claim, records.get(claim.personal_id)) for claim in claims]
    # Priced per field verified (TT 48/2022/TT-BTC): each claim costs the fields it claims.
    tariff = tariff_for(caller.client.kind, clock.today())
    entries = [(claim.personal_id, _claimed(claim), tariff.fee(len(_claimed(claim)))) for claim in claims]
    record_accesses(
        db,
        at=clock.now(),
        client_id=caller.client_id,
        action=VERIFY,
        purpose=purpose,
        request_id=request_id,
        entries=entries,
    )
    return VerificationBatchResult(
        results=results,
        summary=VerificationSummary(
            total=len(results),
            matched=sum(r.match for r in results),
            mismatched=sum(r.found and not r.match for r in results),
            not_found=sum(not r.found for r in results),
            fee_vnd=sum(fee for _, _, fee in entries),
            fee_rule=tariff.rule,
            fee_source=tariff.source,
            request_id=request_id,
        ),
    )


def _claimed(claim: ClaimedIdentity) -> list[str]:
    return [name for name in CLAIMABLE_FIELDS if getattr(claim, name) is not None]


def _compare(claim: ClaimedIdentity, citizen: Citizen | None) -> VerificationResult:
    if citizen is None:
        return VerificationResult(
            personal_id=claim.personal_id, match=False, found=False, mismatched_fields=[], deceased=None
        )
    mismatched = []
    if claim.full_name is not None and fold_name(claim.full_name) != fold_name(citizen.full_name):
        mismatched.append("full_name")
    if claim.date_of_birth is not None and claim.date_of_birth != citizen.date_of_birth:
        mismatched.append("date_of_birth")
    if claim.sex is not None and claim.sex != citizen.sex:
        mismatched.append("sex")
    match = not mismatched
    return VerificationResult(
        personal_id=claim.personal_id,
        match=match,
        found=True,
        mismatched_fields=mismatched,
        deceased=(citizen.date_of_death is not None) if match else None,
    )
