"""Sandbox controls for QA and demos, behind the admin token."""

from fastapi import APIRouter

from app.core.errors import problem_responses
from app.deps import AdminDep, ClockDep, SessionDep, SettingsDep
from app.schemas.sandbox import ConsentGrant, ConsentPublic, Persona, ResetResult
from app.services import sandbox

router = APIRouter(prefix="/sandbox", tags=["Sandbox controls"], dependencies=[AdminDep])


@router.post("/reset", response_model=ResetResult, name="sandbox.reset", responses=problem_responses(401))
def reset(db: SessionDep, settings: SettingsDep) -> ResetResult:
    """Restore the seed state: the same citizens and accounts as on first start (same VNEID_SEED);
    audit trail and consents are cleared. Signing keys are kept so cached JWKS stay valid."""
    summary = sandbox.reset(db, settings)
    return ResetResult(
        citizens=summary.citizens,
        households=summary.households,
        accounts=summary.accounts,
        convictions=summary.convictions,
        seconds=summary.seconds,
    )


@router.get("/personas", response_model=list[Persona], name="sandbox.personas", responses=problem_responses(401))
def personas(db: SessionDep) -> list[Persona]:
    """The fixed test identities (password `Sandbox@2026`, one-time code `123456`)."""
    return [Persona.model_validate(p) for p in sandbox.list_personas(db)]


@router.post(
    "/consents",
    response_model=ConsentPublic,
    status_code=201,
    name="sandbox.grant_consent",
    responses=problem_responses(400, 401, 404, 422),
)
def grant_consent(body: ConsentGrant, db: SessionDep, clock: ClockDep) -> ConsentPublic:
    """Record a citizen's consent for a business client, as if the citizen had granted it on VNeID."""
    consent = sandbox.grant_consent(
        db, clock, personal_id=body.personal_id, client_id=body.client_id, purpose=body.purpose, scopes=body.scopes
    )
    return ConsentPublic.model_validate(consent, from_attributes=True)
