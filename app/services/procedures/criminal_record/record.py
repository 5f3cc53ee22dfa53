"""The records search: the subject's convictions, those a certificate form shows, and what they amount to.

"Lived in several provinces" is read from the population record: the province where the birth was
registered (the ID prefix, mapped to its 2025 province) is not the permanent-address province, or a
temporary residence is recorded in another province. "An expungement must be verified": a conviction whose
sentence has been served is not yet marked expunged.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Citizen, Conviction
from app.services.procedures.criminal_record.vocabulary import DeadlineReason, RecordStatus
from app.services.reference import catalog


def permanent_province(citizen: Citizen) -> str:
    """The 2025 province of the citizen's permanent address."""
    return catalog().communes[citizen.permanent_commune_code].province_code


def home_province(db: Session, personal_id: str) -> str:
    """The province whose police issue the citizen's certificate unless they choose another."""
    return permanent_province(db.get_one(Citizen, personal_id))


def convictions_of(db: Session, personal_id: str) -> list[Conviction]:
    return list(
        db.scalars(
            select(Conviction)
            .where(Conviction.personal_id == personal_id)
            .order_by(Conviction.judgment_date, Conviction.id)
        )
    )


def convictions_shown(db: Session, personal_id: str, form: int) -> tuple[list[Conviction], RecordStatus]:
    """The convictions a certificate form shows, and what they amount to: form 1 shows only convictions not
    expunged (an expunged one counts as no record), form 2 shows every conviction."""
    every = convictions_of(db, personal_id)
    shown = every if form == 2 else [c for c in every if not c.expunged]
    if any(not c.expunged for c in shown):
        return shown, RecordStatus.CONVICTED
    return shown, RecordStatus.EXPUNGED if shown else RecordStatus.NONE


def deadline_reasons(db: Session, subject: Citizen) -> list[DeadlineReason]:
    """Why the 15-day deadline applies rather than 10 (empty: 10 days)."""
    reasons = []
    home = permanent_province(subject)
    born_in = catalog().legacy_provinces[subject.personal_id[:3]].new_province_code
    lived_elsewhere = subject.temporary_commune_code is not None and (
        catalog().communes[subject.temporary_commune_code].province_code != home
    )
    if born_in != home or lived_elsewhere:
        reasons.append(DeadlineReason.LIVED_IN_SEVERAL_PROVINCES)
    if any(c.sentence_completed_on and not c.expunged for c in convictions_of(db, subject.personal_id)):
        reasons.append(DeadlineReason.EXPUNGEMENT_TO_VERIFY)
    return reasons
