"""The population API for relying parties: look-up, household and identity verification."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, TypeVar
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Header, Path, Query
from sqlalchemy.orm import Session

from app.core.clock import Clock
from app.core.db import run_in_session
from app.core.errors import problem_responses
from app.deps import ClockDep, CurrentCaller, RequestId, SessionDep, only_reads
from app.schemas.citizen import (
    AccessReceipt,
    CitizenRecord,
    ClaimedIdentity,
    HouseholdRecord,
    PersonalId,
    VerificationBatch,
    VerificationBatchResult,
    VerificationResult,
)
from app.schemas.common import Text
from app.services.callers import ClientCaller
from app.services.population import lookup, verification
from app.services.population.access import MIN_PURPOSE_LENGTH

T = TypeVar("T")
router = APIRouter(prefix="/v1/citizens", tags=["Population database"])

PersonalIdPath = Annotated[PersonalId, Path(description="12-digit personal identification number.")]
PurposeHeader = Annotated[
    Text | None,
    Header(
        alias="X-Purpose",
        min_length=MIN_PURPOSE_LENGTH,
        max_length=600,
        description="Legal purpose of the read, at least 5 characters (state agencies must give one: 400 "
        "`purpose_required`), UTF-8 percent-encoded as headers are ASCII: "
        '`X-Purpose: X%C3%A1c%20minh%20h%E1%BB%93%20s%C6%A1` is "Xác minh hồ sơ".',
    ),
]
PurposeQuery = Annotated[
    Text | None,
    Query(min_length=MIN_PURPOSE_LENGTH, max_length=200, description="Alternative to the X-Purpose header."),
]


# The two look-ups read one citizen or one household: on SQLite that is quicker than the trip to a worker thread,
# so they run where the session allows (`run_in_session`); a verification batch of up to 1,000 stays a `def`.


def _purpose(header: str | None, query: str | None) -> str | None:
    return unquote(header) if header else query


@dataclass(frozen=True)
class LookUp:
    """What both look-ups take: whose record, who asks, in which request, and the purpose they state."""

    db: Session
    clock: Clock
    caller: ClientCaller
    personal_id: str
    purpose: str | None
    request_id: str | None

    async def run(self, read: Callable[..., T], **extra: Any) -> T:
        """`read(db, clock, caller, personal_id, purpose=…, request_id=…, **extra)`, where the session allows."""
        work = partial(
            read,
            self.db,
            self.clock,
            self.caller,
            self.personal_id,
            purpose=self.purpose,
            request_id=self.request_id,
            **extra,
        )
        return await run_in_session(self.db, work)


async def look_up(
    personal_id: PersonalIdPath,
    caller: CurrentCaller,
    db: SessionDep,
    clock: ClockDep,
    request_id: RequestId,
    x_purpose: PurposeHeader = None,
    purpose: PurposeQuery = None,
) -> LookUp:
    return LookUp(db, clock, caller, personal_id, _purpose(x_purpose, purpose), request_id)


LookUpDep = Annotated[LookUp, Depends(look_up)]


async def field_names(
    fields: Annotated[
        str | None,
        Query(
            max_length=1000,
            pattern=r"^[a-z_]+(,[a-z_]+)*$",
            description="Comma-separated field names to return (and pay for); "
            "default: every field your scopes and consent allow.",
        ),
    ] = None,
) -> list[str] | None:
    return fields.split(",") if fields else None


FieldsDep = Annotated[list[str] | None, Depends(field_names)]  # after LookUpDep: the query's order in /docs


@router.get(
    "/{personal_id}",
    response_model=CitizenRecord,
    response_model_exclude_unset=True,
    name="population.get_citizen",
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def get_citizen(asked: LookUpDep, fields: FieldsDep) -> CitizenRecord:
    """Look up one citizen. Fields returned depend on the token's scopes and, for business clients, on the
    citizen's consent; state agencies must state a purpose. Each field returned costs 1,000 VND and is
    written to the audit trail the citizen can read."""
    read = await asked.run(lookup.read_citizen, fields=fields)
    # only the granted fields are set: response_model_exclude_unset leaves the others out
    return CitizenRecord(personal_id=read.personal_id, **read.fields, access=AccessReceipt.model_validate(read.access))


@router.get(
    "/{personal_id}/household",
    response_model=HouseholdRecord,
    name="population.get_household",
    responses=problem_responses(400, 401, 403, 404, 422),
)
async def get_household(asked: LookUpDep) -> HouseholdRecord:
    """The citizen's household (hộ gia đình): address, head and members with their relation to the head.
    Needs the `citizen.family` scope; every member's read is audited."""
    return HouseholdRecord.model_validate(await asked.run(lookup.read_household))


@router.post(
    "/verify",
    response_model=VerificationResult | VerificationBatchResult,
    name="population.verify",
    responses=problem_responses(401, 403, 422),
)
@only_reads
def verify(
    body: ClaimedIdentity | VerificationBatch,
    caller: CurrentCaller,
    db: SessionDep,
    clock: ClockDep,
    request_id: RequestId,
    x_purpose: PurposeHeader = None,
) -> VerificationResult | VerificationBatchResult:
    """Check claimed identities against the population database without disclosing stored values.

    Send one identity (`{"personal_id", "full_name", "date_of_birth", "sex"}`, at least one field besides
    the ID) and get one result, or `{"items": [...]}` with up to 1,000 and get a result per item plus a
    summary. Names match regardless of case and Unicode normalisation (NFC/NFD), never across letters.
    """
    claims = body.items if isinstance(body, VerificationBatch) else [body]
    outcome = verification.verify_identities(
        db, clock, caller, claims, purpose=_purpose(x_purpose, None), request_id=request_id
    )
    if isinstance(body, VerificationBatch):
        return VerificationBatchResult.model_validate(outcome)
    return VerificationResult.model_validate(outcome.results[0])
