"""Criminal-record certificates (Phiếu lý lịch tư pháp) on VNeID: the fee quote and the request."""

from fastapi import APIRouter

from app.core.errors import problem_responses
from app.deps import ClockDep, EnvDep, Level2ProcedureCitizen, SessionDep
from app.schemas.criminal_record import CriminalRecordQuoteRequest, CriminalRecordRequest, FeeLine, FeeQuote
from app.services.procedures.criminal_record import filing
from app.services.procedures.views import ApplicationView

router = APIRouter(prefix="/v1/applications/criminal-record-certificates", tags=["Criminal-record certificates"])
ERRORS = problem_responses(401, 403, 422)


@router.post("/quote", response_model=FeeQuote, name="criminal_record.quote", responses=ERRORS)
def quote_fee(
    body: CriminalRecordQuoteRequest, caller: Level2ProcedureCitizen, db: SessionDep, clock: ClockDep
) -> FeeQuote:
    """The fee of a request, before filing it, at the sandbox clock's date, line by line with the rule and legal
    source behind each line, and `rule`: the one that decides what is paid. From 24/04/2025 (Thông tư
    16/2025/TT-BTC): 200,000 VND, but 170,000 for a request on VNeID until 31/12/2025; 100,000 for `pupil` (from
    16), `student`, `revolutionary_merit`, `martyr_relative`; nothing for children under 16, people of 60 or more
    (both from the population record), `disabled`, `poor_household`, `near_poor_household`,
    `disadvantaged_commune`; plus 5,000 VND a copy from the third. Before, Thông tư 244/2016/TT-BTC. Local
    subsidies apply on their dates (Hà Nội, Nghị quyết 11/2024/NQ-HĐND, 01/06/2024 – 31/12/2025: the fee for
    permanent residents of Hà Nội applying on VNeID at level 2, extra copies up to 50,000 VND).

    Needs a citizen's token of a level 2 account (`403 insufficient_account_level` otherwise). For a child:
    `403 not_parent_of_subject` unless you are recorded as the child's father or mother (an unknown ID gets
    the same answer); `422 subject_not_under_14` from the child's 14th birthday."""
    subject, fee = filing.fee_quote(db, clock.today(), caller.personal_id, caller.level, body)
    return FeeQuote(
        on_date=fee.on_date,
        subject_personal_id=subject.personal_id,
        fee_category=body.fee_category,
        copies=fee.copies,
        lines=[FeeLine(**line.__dict__) for line in fee.lines],
        rules_applied=fee.rules_applied,
        rule=fee.rule,
        sources=fee.sources,
        total_vnd=fee.total_vnd,
    )


@router.post(
    "",
    status_code=201,
    response_model=ApplicationView,
    name="criminal_record.file",
    responses=ERRORS,
)
def file_request(body: CriminalRecordRequest, caller: Level2ProcedureCitizen, env: EnvDep) -> ApplicationView:
    """Request a criminal-record certificate for yourself or your child under 14. Level 2 accounts only.

    Choose `form` 1 (convictions not expunged; bans only with `include_bans`) or 2 (everything, expunged
    convictions included, other names, parents and spouse), a `purpose` (`other` needs `purpose_detail`), the
    issuing provincial police (`issuing_province_code`, a 2025 province code; default your permanent-address
    province; `422 unknown_province`), 1-10 `copies` and your `fee_category`.

    The fee is fixed at filing by the rules in force that day (`fee_vnd`, breakdown in `data.fee`, same as the
    quote). The application starts `awaiting_payment`: pay with `POST /v1/applications/{code}/payments`; when
    the fee is 0 it goes straight to `verifying`. Once verifying, a records officer of the issuing province
    decides by `due_on` (10 days, Luật Lý lịch tư pháp 2009 art. 48, the end moved off weekends and holidays; 15
    when the person lived in several provinces or an expungement must be verified, reasons in
    `data.deadline_reasons`). Approval puts the signed certificate in the subject's
    document wallet (`data.document_code`). Before paying you may withdraw
    (`POST /v1/applications/{code}/withdraw`). Errors as for the quote."""
    return filing.file(env, caller.personal_id, caller.client.client_id, caller.level, body)
