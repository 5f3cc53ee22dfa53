"""Identity verification: does a claimed identity match the population database? (never discloses it)

Verification must not become a way to read the record by guessing: which claimed field differs (and whether the
ID exists at all) is said only to state agencies and to businesses the citizen consented to for identity data;
an ID appears once per batch; and each client has a limited number of attempts per ID in a sliding window
(counted from the audit trail, which every worker shares).
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.errors import AppError
from app.models import AuditEvent, Citizen
from app.services.callers import ClientCaller
from app.services.oidc.clients import AGENCY
from app.services.population.access import VERIFY_SCOPE, consenting_citizens, require_scope, stated_purpose
from app.services.population.audit import VERIFY, record_accesses, tariff_for
from app.services.population.names import fold_name

CLAIMABLE_FIELDS = ("full_name", "date_of_birth", "sex")
# The consented scope that lets a business learn which claimed field is wrong (it holds all three fields).
DETAIL_SCOPE = "citizen.identity"
ATTEMPTS_PER_WINDOW = 20
ATTEMPT_WINDOW = timedelta(hours=1)


class RepeatedPersonalId(AppError):
    status, code, title = 422, "repeated_personal_id", "A personal ID appears more than once in the batch"


class VerificationRateLimited(AppError):
    status, code, title = 429, "verification_rate_limited", "Too many verifications of this personal ID"


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
    found: bool | None  # None where the detail is withheld
    mismatched_fields: list[str] | None
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
    purpose = stated_purpose(purpose)
    wanted = {c.personal_id for c in claims}
    if len(wanted) < len(claims):
        repeated = sorted(p for p, n in Counter(c.personal_id for c in claims).items() if n > 1)
        raise RepeatedPersonalId(
            "each personal ID may appear once per batch; send one claim per person", repeated_personal_ids=repeated
        )
    now = clock.now()
    _check_attempts(db, caller.client_id, wanted, now)
    records = {c.personal_id: c for c in db.scalars(select(Citizen).where(Citizen.personal_id.in_(wanted)))}
    detailed = (
        wanted if caller.client.kind == AGENCY else consenting_citizens(db, caller.client_id, wanted, DETAIL_SCOPE)
    )
    results = [_compare(claim, records.get(claim.personal_id), claim.personal_id in detailed) for claim in claims]
    # Priced per field verified (TT 48/2022/TT-BTC): each claim costs the fields it claims.
    tariff = tariff_for(caller.client.kind, clock.today())
    entries = [(claim.personal_id, _claimed(claim), tariff.fee(len(_claimed(claim)))) for claim in claims]
    record_accesses(
        db,
        at=now,
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
            mismatched=sum(r.found is not False and not r.match for r in results),
            not_found=sum(r.found is False for r in results),
            fee_vnd=sum(fee for _, _, fee in entries),
            fee_rule=tariff.rule,
            fee_source=tariff.source,
            request_id=request_id,
        ),
    )


def _claimed(claim: ClaimedIdentity) -> list[str]:
    return [name for name in CLAIMABLE_FIELDS if getattr(claim, name) is not None]


def _check_attempts(db: Session, client_id: str, personal_ids: set[str], now: datetime) -> None:
    """At most ATTEMPTS_PER_WINDOW verifications of one ID by one client in ATTEMPT_WINDOW (this one included)."""
    since = now - ATTEMPT_WINDOW
    counts = db.execute(
        select(AuditEvent.personal_id, func.count(), func.min(AuditEvent.at))
        .where(
            AuditEvent.client_id == client_id,
            AuditEvent.action == VERIFY,
            AuditEvent.personal_id.in_(personal_ids),
            AuditEvent.at > since,
        )
        .group_by(AuditEvent.personal_id)
    ).all()
    spent = [(personal_id, oldest) for personal_id, count, oldest in counts if count >= ATTEMPTS_PER_WINDOW]
    if spent:
        retry = max(1, math.ceil((min(oldest for _, oldest in spent) + ATTEMPT_WINDOW - now).total_seconds()))
        raise VerificationRateLimited(
            f"at most {ATTEMPTS_PER_WINDOW} verifications of one personal ID per client in "
            f"{int(ATTEMPT_WINDOW.total_seconds() // 60)} minutes",
            headers={"Retry-After": str(retry)},
            personal_ids=sorted(personal_id for personal_id, _ in spent),
            retry_after_seconds=retry,
        )


def _compare(claim: ClaimedIdentity, citizen: Citizen | None, detailed: bool) -> VerificationResult:
    """The comparison, with which fields differ and whether the ID exists only when `detailed`."""
    if citizen is None:
        return VerificationResult(
            personal_id=claim.personal_id,
            match=False,
            found=False if detailed else None,
            mismatched_fields=[] if detailed else None,
            deceased=None,
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
        found=True if detailed or match else None,
        mismatched_fields=mismatched if detailed else None,
        deceased=(citizen.date_of_death is not None) if match else None,
    )
