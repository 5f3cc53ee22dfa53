"""Sensitive personal data at sign-in: the consent screen's separate consent to the `citizen.sensitive` scope."""

from sqlalchemy.orm import Session

from app.services.oidc import login
from app.services.oidc.authorize import AuthorizationRequest
from app.services.population.access import SENSITIVE_SCOPE


def leave_out_sensitive(db: Session, transaction_id: str, browser: str) -> bool:
    """The citizen approved the consent screen without ticking the sensitive data (Nghị định 356/2025/NĐ-CP: they
    need a consent of their own, never defaulted): the sign-in goes on without the scope. False when nothing else
    was asked for, so that approving nothing is a refusal."""
    row = login.transaction(db, transaction_id, browser, login.CONSENT)
    request = AuthorizationRequest.from_json(row.request)
    scopes = request.scope.split()
    if SENSITIVE_SCOPE not in scopes:
        return True
    request.scope = " ".join(s for s in scopes if s != SENSITIVE_SCOPE)
    row.request = request.to_json()
    return bool(request.scope)
