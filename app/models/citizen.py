"""The population database: citizens, their households and their criminal records."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Household(Base):
    """A household (hộ gia đình) registered at one permanent address."""

    __tablename__ = "household"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    head_personal_id: Mapped[str] = mapped_column(String(12))
    street: Mapped[str] = mapped_column(String(200))
    commune_code: Mapped[str] = mapped_column(String(5))


class Citizen(Base):
    """One record of the national population database, keyed by the 12-digit personal ID."""

    __tablename__ = "citizen"

    personal_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    other_names: Mapped[str | None] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(6))
    date_of_birth: Mapped[date] = mapped_column(Date)
    place_of_birth: Mapped[str] = mapped_column(String(200))
    birth_registration_province_code: Mapped[str] = mapped_column(String(2))
    hometown: Mapped[str] = mapped_column(String(200))
    ethnicity_code: Mapped[str] = mapped_column(String(2))
    religion_code: Mapped[str] = mapped_column(String(20))
    nationality: Mapped[str] = mapped_column(String(2))
    blood_type: Mapped[str | None] = mapped_column(String(3))
    old_id_number: Mapped[str | None] = mapped_column(String(9))
    id_card_issued_on: Mapped[date | None] = mapped_column(Date)
    id_card_expires_on: Mapped[date | None] = mapped_column(Date)
    permanent_street: Mapped[str] = mapped_column(String(200))
    permanent_commune_code: Mapped[str] = mapped_column(String(5))
    temporary_street: Mapped[str | None] = mapped_column(String(200))
    temporary_commune_code: Mapped[str | None] = mapped_column(String(5))
    temporary_until: Mapped[date | None] = mapped_column(Date)
    current_street: Mapped[str | None] = mapped_column(String(200))
    current_commune_code: Mapped[str | None] = mapped_column(String(5))
    residence_file_number: Mapped[str] = mapped_column(String(20))
    marital_status: Mapped[str] = mapped_column(String(10))
    household_code: Mapped[str] = mapped_column(ForeignKey("household.code"), index=True)
    relation_to_head: Mapped[str] = mapped_column(String(12))
    father_personal_id: Mapped[str | None] = mapped_column(String(12), index=True)
    mother_personal_id: Mapped[str | None] = mapped_column(String(12), index=True)
    spouse_personal_id: Mapped[str | None] = mapped_column(String(12))
    date_of_death: Mapped[date | None] = mapped_column(Date)
    # Deregistration of residence (xóa đăng ký cư trú, Luật Cư trú 2020 art. 24, 29): from that date the citizen has
    # no permanent or temporary residence; permanent_street/permanent_commune_code keep the last registered one, which
    # also stays the commune whose police keep the dead person's account (residence_communes).
    residence_deregistered_on: Mapped[date | None] = mapped_column(Date)
    residence_deregistration_reason: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(15))
    email: Mapped[str | None] = mapped_column(String(120))

    def id_card_in_force(self, today: date) -> bool:
        return self.id_card_issued_on is not None and (
            self.id_card_expires_on is None or self.id_card_expires_on >= today
        )

    def residence_communes(self, today: date) -> frozenset[str]:
        """The communes the citizen lives in on `today`: permanent, current, and temporary while it is valid."""
        temporary = self.temporary_commune_code if self.temporary_until and self.temporary_until >= today else None
        return frozenset(c for c in (self.permanent_commune_code, self.current_commune_code, temporary) if c)


class Conviction(Base):
    """One conviction in the criminal-record database (lý lịch tư pháp)."""

    __tablename__ = "conviction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    personal_id: Mapped[str] = mapped_column(ForeignKey("citizen.personal_id"), index=True)
    judgment_number: Mapped[str] = mapped_column(String(40))
    judgment_date: Mapped[date] = mapped_column(Date)
    court: Mapped[str] = mapped_column(String(200))
    offence: Mapped[str] = mapped_column(String(200))
    article: Mapped[str] = mapped_column(String(100))
    sentence: Mapped[str] = mapped_column(String(200))
    sentence_completed_on: Mapped[date | None] = mapped_column(Date)
    expunged: Mapped[bool] = mapped_column(Boolean)
    expunged_on: Mapped[date | None] = mapped_column(Date)
