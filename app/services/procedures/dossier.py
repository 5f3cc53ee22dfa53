"""The officer's dossier: an application of their jurisdiction with the population records it concerns.

The API (`GET /v1/officer/applications/{code}`) and the web console read the same dossier. Officers' reads
are part of the procedure, not a relying party's look-up: they are not metered.
"""

from dataclasses import dataclass
from typing import Any

from app.core.context import Env
from app.models import Application, Citizen
from app.services.population.access import FIELDS_BY_SCOPE
from app.services.population.lookup import citizen_fields
from app.services.procedures import desk

# An officer sees every field of the population record.
ALL_FIELDS = tuple(f for fields in FIELDS_BY_SCOPE.values() for f in fields)


@dataclass(frozen=True)
class Dossier:
    application: Application
    applicant_record: dict[str, Any]
    # The person the application is about, when it is someone else (a child, a guest); None otherwise.
    subject_record: dict[str, Any] | None


def officer_dossier(env: Env, officer_personal_id: str, code: str) -> Dossier:
    """The application `code` of the officer's jurisdiction, with the applicant's record and the subject's."""
    db, today = env.db, env.clock.today()
    application = desk.desk_application(env, desk.officer(db, officer_personal_id), code)
    applicant = db.get_one(Citizen, application.applicant_personal_id)
    subject = (
        db.get(Citizen, application.subject_personal_id)
        if application.subject_personal_id not in (None, application.applicant_personal_id)
        else None
    )
    return Dossier(
        application=application,
        applicant_record=citizen_fields(db, applicant, ALL_FIELDS, today),
        subject_record=citizen_fields(db, subject, ALL_FIELDS, today) if subject else None,
    )
