"""Claims about the signed-in citizen, released by scope (userinfo) or by the `claims` request parameter."""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from app.models import Citizen, IdentityAccount
from app.services.reference import catalog

# Standard OIDC scopes and the claims each releases; `personal_id` and `account_level` are VNeID claims.
CLAIMS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "openid": ("sub", "account_level"),
    "profile": ("name", "family_name", "middle_name", "given_name", "birthdate", "gender", "personal_id"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
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
    }
    return {name: available[name] for name in names if available.get(name) is not None}
