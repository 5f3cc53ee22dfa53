"""The officer's dossier: an application of their jurisdiction with the population records it concerns.

The API (`GET /v1/officer/applications/{code}`) and the web console read the same dossier. Officers' reads
are part of the procedure, not a relying party's look-up: they are not metered.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.core.context import Env
from app.models import Citizen
from app.services.population.access import FIELDS_BY_SCOPE
from app.services.population.lookup import citizen_fields
from app.services.procedures import desk
from app.services.procedures.views import ApplicationView, application_view
from app.services.procedures.vocabulary import Actor

# An officer sees every field of the population record.
ALL_FIELDS = tuple(f for fields in FIELDS_BY_SCOPE.values() for f in fields)


@dataclass(frozen=True)
class Dossier:
    application: ApplicationView  # as the officer sees it: their allowed actions
    # Every field of a population record, by name, in its API shape (see citizen_fields), with its personal ID.
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
        application=application_view(db, env.clock, application, Actor.OFFICER),
        applicant_record=_record(db, applicant, today),
        subject_record=_record(db, subject, today) if subject else None,
    )


def _record(db: Session, citizen: Citizen, today: date) -> dict[str, Any]:
    return {"personal_id": citizen.personal_id, **citizen_fields(db, citizen, ALL_FIELDS, today)}
