"""Accommodation notices (thông báo lưu trú, Luật Cư trú art. 30): a host tells the commune police who stays.

A notice is recorded at once, never approved. It is due before 23:00 on the day of arrival, or before
08:00 the next day for arrivals after 23:00 (Thông tư 55/2021/TT-BCA art. 15); a foreign guest's (by passport)
within 12 hours of arrival, 24 hours in remote areas (Luật Nhập cảnh, xuất cảnh, quá cảnh, cư trú của người nước
ngoài tại Việt Nam 2014, amended 2019, art. 33(2)); the law names no list of remote areas, so which communes are
remote is data (`seed_data/remote_communes.json`: region III communes of the provinces' 2026-2030 classifications,
Nghị định 272/2025/NĐ-CP, for the provinces whose list was read). A later notice is still recorded, with `late` set.
"""

from datetime import date, datetime, time, timedelta
from typing import Protocol

from pydantic_core import to_jsonable_python

from app.core.clock import VIETNAM
from app.core.context import Env
from app.models import Application, Citizen
from app.services.procedures.engine import Procedure, create, machine, register
from app.services.procedures.temporary_residence import ResidenceRuleBroken
from app.services.procedures.views import ApplicationView, view_as
from app.services.procedures.vocabulary import Action, Actor, ProcedureKind, Status
from app.services.reference import catalog


class NoticeForm(Protocol):
    """What the rules read of a notice (the API's `AccommodationNoticeRequest` is one; it is stored whole)."""

    @property
    def guest_personal_id(self) -> str | None: ...
    @property
    def commune_code(self) -> str: ...
    @property
    def arrival_at(self) -> datetime: ...
    @property
    def departure_on(self) -> date: ...


LATE_ARRIVAL = time(23, 0)
NEXT_MORNING = time(8, 0)
FOREIGN_GUEST_DELAY = timedelta(hours=12)
FOREIGN_GUEST_DELAY_REMOTE = timedelta(hours=24)

PROCEDURE = register(
    Procedure(
        name=ProcedureKind.ACCOMMODATION_NOTICE,
        code_prefix="TBLT",
        initial=Status.RECORDED,
        transitions=machine((Action.CANCEL, {Status.RECORDED}, Status.CANCELLED, {Actor.APPLICANT})),
        terminal=frozenset({Status.RECORDED, Status.CANCELLED}),
    )
)


def notice_deadline(arrival: datetime, foreign_guest: bool, commune_code: str) -> datetime:
    local = arrival.astimezone(VIETNAM)
    if foreign_guest:
        remote = catalog().is_remote(commune_code, local.date())
        return local + (FOREIGN_GUEST_DELAY_REMOTE if remote else FOREIGN_GUEST_DELAY)
    if local.time() < LATE_ARRIVAL:
        return datetime.combine(local.date(), LATE_ARRIVAL, VIETNAM)
    return datetime.combine(local.date() + timedelta(days=1), NEXT_MORNING, VIETNAM)


def file(env: Env, host_personal_id: str, client_id: str | None, form: NoticeForm) -> ApplicationView:
    if form.commune_code not in catalog().communes:
        raise ResidenceRuleBroken("unknown_commune", f"{form.commune_code} is not a 2025 commune code")
    guest_id = form.guest_personal_id
    if guest_id is not None:
        guest = env.db.get(Citizen, guest_id)
        if guest is None or guest.date_of_death is not None:
            raise ResidenceRuleBroken("guest_not_found", "no living citizen has the guest's personal ID")
        if guest_id == host_personal_id:
            raise ResidenceRuleBroken("guest_is_host", "hosts do not notify their own stay")
    if form.departure_on < form.arrival_at.astimezone(VIETNAM).date():
        raise ResidenceRuleBroken("invalid_period", "departure cannot be before arrival")
    application = Application(
        procedure=PROCEDURE.name,
        applicant_personal_id=host_personal_id,
        subject_personal_id=guest_id,
        commune_code=form.commune_code,
        province_code=catalog().communes[form.commune_code].province_code,
        client_id=client_id,
        data=to_jsonable_python(form),
        fee_vnd=0,
        late=env.clock.now() > notice_deadline(form.arrival_at, guest_id is None, form.commune_code),
    )
    return view_as(env, create(env, application, actor_personal_id=host_personal_id), Actor.APPLICANT)
