"""Who may read what: scopes, the citizen's consent (business clients) or a stated purpose (agencies)."""

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import AppError, ConsentRequired, Forbidden, InsufficientScope, PurposeRequired, UnknownFields
from app.models import Consent
from app.services.callers import ClientCaller
from app.services.oidc.clients import AGENCY, BUSINESS

# The documented scope set of the population API and the record fields each one opens.
FIELDS_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "citizen.identity": (
        "full_name",
        "other_names",
        "sex",
        "date_of_birth",
        "place_of_birth",
        "birth_registration_province",
        "hometown",
        "nationality",
        "old_id_number",
        "id_card",
        "life_status",
        "date_of_death",
    ),
    "citizen.residence": (
        "permanent_address",
        "temporary_address",
        "current_address",
        "residence_file_number",
        "residence_deregistration",
    ),
    "citizen.family": (
        "marital_status",
        "household_code",
        "relation_to_head",
        "father_personal_id",
        "mother_personal_id",
        "spouse_personal_id",
        "children_personal_ids",
    ),
    "citizen.contact": ("phone", "email"),
    # Sensitive personal data (Nghị định 356/2025/NĐ-CP, under Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): a scope
    # and a consent of their own, so consenting to the identity data never releases them.
    "citizen.sensitive": ("ethnicity", "religion", "blood_type"),
}
SCOPE_OF_FIELD = {f: scope for scope, fields in FIELDS_BY_SCOPE.items() for f in fields}
HOUSEHOLD_SCOPE = "citizen.family"
SENSITIVE_SCOPE = "citizen.sensitive"
SENSITIVE_SOURCE = "Nghị định 356/2025/NĐ-CP (dữ liệu cá nhân nhạy cảm)"
VERIFY_SCOPE = "citizen.verify"
MIN_PURPOSE_LENGTH = 5


class InvalidPurpose(AppError):
    status, code, title = 422, "invalid_purpose", "The stated purpose contains control characters"


def stated_purpose(purpose: str | None) -> str | None:
    """The purpose as the audit trail keeps it (and the citizen reads it): trimmed, printable text only, since a
    percent-encoded header can carry line breaks or escape sequences into logs and pages."""
    if purpose is None:
        return None
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in purpose):
        raise InvalidPurpose("the purpose must be printable text: no control or formatting characters")
    return purpose.strip() or None


@dataclass(frozen=True)
class ReadGrant:
    fields: tuple[str, ...]
    purpose: str | None
    # Sensitive fields a default read left out, and why: the caller is told rather than left to guess.
    withheld: tuple[str, ...] = ()
    withheld_reason: str | None = None


def require_scope(caller: ClientCaller, scope: str) -> None:
    if scope not in caller.scopes:
        raise InsufficientScope(f"this call needs the {scope} scope", required=[scope])


def authorize_read(
    db: Session,
    caller: ClientCaller,
    personal_id: str,
    purpose: str | None,
    requested_fields: list[str] | None,
    needed_scopes: set[str] | None = None,
) -> ReadGrant:
    """The fields this caller may read about this citizen, or the error that explains why not.

    `needed_scopes` narrows the read to the scopes an endpoint is about (the household needs family).
    """
    wanted_scopes = needed_scopes or set(FIELDS_BY_SCOPE)
    granted_scopes = caller.scopes & wanted_scopes
    if not granted_scopes:
        raise InsufficientScope(
            "the token has none of the scopes that open citizen data", required=sorted(wanted_scopes)
        )
    purpose = stated_purpose(purpose)
    if caller.client.kind == BUSINESS:
        consents = _active_consents(db, caller.client_id, personal_id, purpose)
        if not consents:
            raise ConsentRequired(
                "the citizen has not consented to this client" + (f" for the purpose {purpose!r}" if purpose else ""),
                client_id=caller.client_id,
            )
        consented = {scope for consent in consents for scope in consent.scopes}
        granted_scopes &= consented
        if not granted_scopes:
            raise ConsentRequired(
                "the citizen's consent does not cover these data",
                client_id=caller.client_id,
                consented_scopes=sorted(consented),
            )
        purpose = consents[0].purpose
    elif caller.client.kind == AGENCY:
        if not purpose or len(purpose) < MIN_PURPOSE_LENGTH:
            raise PurposeRequired(
                "state agencies must give the legal purpose of the read in the X-Purpose "
                f"header or the `purpose` query parameter (at least {MIN_PURPOSE_LENGTH} "
                "characters)"
            )
    else:
        raise Forbidden("this client may not read the population database")
    allowed = [f for scope in sorted(granted_scopes) for f in FIELDS_BY_SCOPE[scope]]
    if requested_fields is None:
        if SENSITIVE_SCOPE in granted_scopes or SENSITIVE_SCOPE not in wanted_scopes:
            return ReadGrant(tuple(allowed), purpose)
        return ReadGrant(tuple(allowed), purpose, FIELDS_BY_SCOPE[SENSITIVE_SCOPE], _withheld_reason(caller))
    unknown = [f for f in requested_fields if f not in SCOPE_OF_FIELD]
    if unknown:
        raise UnknownFields(f"unknown fields: {', '.join(unknown)}", unknown_fields=unknown)
    denied = [f for f in requested_fields if f not in allowed]
    if denied:
        needed = sorted({SCOPE_OF_FIELD[f] for f in denied})
        raise InsufficientScope(f"not granted for these fields: {', '.join(denied)}", required=needed)
    return ReadGrant(tuple(dict.fromkeys(requested_fields)), purpose)


def _withheld_reason(caller: ClientCaller) -> str:
    if SENSITIVE_SCOPE in caller.scopes:  # only a business's consent can be what is missing
        return f"the citizen's consent to this client does not include {SENSITIVE_SCOPE} ({SENSITIVE_SOURCE})"
    return f"the token lacks the {SENSITIVE_SCOPE} scope ({SENSITIVE_SOURCE})"


def consenting_citizens(db: Session, client_id: str, personal_ids: set[str], scope: str) -> set[str]:
    """Who among `personal_ids` has an active consent of this client that covers `scope`."""
    consents = db.scalars(
        select(Consent).where(
            Consent.client_id == client_id, Consent.personal_id.in_(personal_ids), Consent.revoked_at.is_(None)
        )
    )
    return {consent.personal_id for consent in consents if scope in consent.scopes}


def _active_consents(db: Session, client_id: str, personal_id: str, purpose: str | None) -> list[Consent]:
    """Every consent the citizen gave this client and has not revoked (newest first): together they say
    what the client may read; signing in with fewer scopes later does not narrow an earlier consent."""
    query = select(Consent).where(
        Consent.client_id == client_id, Consent.personal_id == personal_id, Consent.revoked_at.is_(None)
    )
    if purpose:
        query = query.where(Consent.purpose == purpose)
    return list(db.scalars(query.order_by(Consent.granted_at.desc(), Consent.id.desc())))
