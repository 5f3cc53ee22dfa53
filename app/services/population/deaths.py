"""What a death changes in the residence records (Luật Cư trú 2020 art. 10, 24, 29): the deceased's permanent and
temporary residence are deregistered, the spouse is widowed, and a household whose head died gets a new head: the
surviving spouse living there, else the eldest adult member."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Citizen, Household
from app.services.population.dates import age_on

WIDOWED, HEAD, OTHER = "widowed", "head", "other"
ADULT = 18
DEATH = "death"
# Why a residence is deregistered, and the provision that says so (the API shows both).
DEREGISTRATION_BASIS = {
    DEATH: "Luật Cư trú 2020, điều 24 khoản 1 điểm a (thường trú) và điều 29 khoản 1 điểm a (tạm trú): người đã chết"
}


def record_household_death(db: Session, deceased: Citizen, died_on: date) -> None:
    """The residence, family and household consequences of `deceased`'s death on `died_on`."""
    deceased.residence_deregistered_on, deceased.residence_deregistration_reason = died_on, DEATH
    spouse = db.get(Citizen, deceased.spouse_personal_id) if deceased.spouse_personal_id else None
    if spouse is not None and spouse.date_of_death is None:
        spouse.marital_status = WIDOWED
    household = db.get_one(Household, deceased.household_code, with_for_update=True)
    if household.head_personal_id != deceased.personal_id:
        return
    living = list(
        db.scalars(
            select(Citizen)
            .where(Citizen.household_code == household.code, Citizen.date_of_death.is_(None))
            .order_by(Citizen.date_of_birth, Citizen.personal_id)
        )
    )
    if not living:
        return  # nobody left to head it
    adults = [m for m in living if age_on(m.date_of_birth, died_on) >= ADULT]
    heir = spouse if spouse in living else (adults or living)[0]
    household.head_personal_id = heir.personal_id
    for member in living:
        # Relations were to the deceased: they still hold towards the widowed spouse (its children are theirs too
        # in the sandbox's households), not towards another heir, whose relations the sandbox does not know.
        if member is heir:
            member.relation_to_head = HEAD
        elif heir is not spouse:
            member.relation_to_head = OTHER
