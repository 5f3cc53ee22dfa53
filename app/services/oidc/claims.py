"""Claims about the signed-in citizen, released by scope (userinfo) or by the `claims` request parameter."""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.models import Citizen, Client, IdentityAccount
from app.services.oidc import grants
from app.services.oidc.clients import FIRST_PARTY
from app.services.population.audit import record_accesses, tariff_for
from app.services.reference import catalog

# Standard OIDC scopes and the claims each releases; `personal_id` and `account_level` are VNeID claims.
CLAIMS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "openid": ("sub", "account_level"),
    "profile": ("name", "family_name", "middle_name", "given_name", "birthdate", "gender", "personal_id"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
    # Sensitive personal data (Nghị định 356/2025/NĐ-CP): only under its own scope, which the consent screen asks
    # for on a line of its own; the `claims` parameter cannot reach them without it (claim_names).
    "citizen.sensitive": ("ethnicity", "religion", "blood_type"),
}
OIDC_SCOPES = frozenset(CLAIMS_BY_SCOPE)
SUPPORTED_CLAIMS = sorted({c for claims in CLAIMS_BY_SCOPE.values() for c in claims})
_SUBJECT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://vneid-sandbox.example/subject")


def subject_for(personal_id: str) -> str:
    """A stable public subject (`sub`) that does not reveal the personal ID."""
    return str(uuid.uuid5(_SUBJECT_NAMESPACE, personal_id))


def claim_names(scope: str, requested: dict[str, Any] | None = None) -> list[str]:
    """Claims to release: those of the granted (consented) scopes; `requested` (a member of the `claims` request
    parameter) only chooses among them, never adds one the citizen did not consent to."""
    allowed = [c for s in scope.split() if s in CLAIMS_BY_SCOPE for c in CLAIMS_BY_SCOPE[s]]
    return allowed if requested is None else [c for c in requested if c in allowed]


def userinfo_claim_names(db: Session, scopes: Iterable[str], grant_id: str | None) -> list[str]:
    """What userinfo releases: `sub`, and the claims of the token's scopes; the `userinfo` member of the sign-in's
    `claims` request chooses among them, as the `id_token` member does for the ID token (never adds one)."""
    requested = grants.claims_request(db, grant_id).get("userinfo") if grant_id else None
    return ["sub", *(name for name in claim_names(" ".join(scopes), requested) if name != "sub")]


def release_claims(db: Session, client: Client, personal_id: str, names: list[str], action: str) -> dict[str, Any]:
    """The claims a relying party receives (in an ID token or from userinfo), on the citizen's access log and
    metered per field like a population read. Sign-in runs on real time, so the entry does too. The VNeID app
    is the citizen's own: its releases are neither logged nor metered."""
    released = citizen_claims(db, personal_id, names)
    fields = [name for name in released if name != "sub"]  # sub is a pairwise identifier, not personal data
    if client.kind != FIRST_PARTY and fields:
        now = datetime.now(UTC)
        fee = tariff_for(client.kind, now.date()).fee(len(fields))
        record_accesses(
            db,
            at=now,
            client_id=client.client_id,
            action=action,
            purpose=None,
            request_id=None,
            entries=[(personal_id, fields, fee)],
        )
    return released


def citizen_claims(db: Session, personal_id: str, names: list[str]) -> dict[str, Any]:
    citizen = db.get_one(Citizen, personal_id)
    account = db.get(IdentityAccount, personal_id)
    family, *middle, given = citizen.full_name.split(" ")
    address = catalog().address(citizen.permanent_street, citizen.permanent_commune_code)
    phone = account.phone if account and account.phone else citizen.phone
    available: dict[str, Any] = {
        "sub": subject_for(personal_id),
        "account_level": account.level if account else None,
        "name": citizen.full_name,
        "family_name": family,
        "middle_name": " ".join(middle) or None,
        "given_name": given,
        "birthdate": citizen.date_of_birth.isoformat(),
        "gender": citizen.sex,
        "personal_id": personal_id,
        "address": {
            "formatted": address["formatted"],
            "street_address": address["street"],
            "locality": address["commune"],
            "region": address["province"],
            "country": "VN",
        },
        "phone_number": f"+84{phone[1:]}" if phone else None,
        "phone_number_verified": bool(phone),
        "ethnicity": {"code": citizen.ethnicity_code, "name": catalog().ethnicity_names.get(citizen.ethnicity_code)},
        "religion": {"code": citizen.religion_code, "name": catalog().religion_names.get(citizen.religion_code)},
        "blood_type": citizen.blood_type,
    }
    return {name: available[name] for name in names if available.get(name) is not None}
