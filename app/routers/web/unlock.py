"""The holder-requested unlock as pages (mở khóa tài khoản): personal ID and password, then the SMS code. The same
service as POST /v1/accounts/unlock-requests; the sign-in page links here when an account is locked."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from app.deps import ClockDep, SessionDep
from app.schemas.common import Text
from app.services.identity import holder_unlock
from app.web.errors import PageRoute
from app.web.pages import message, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE = "account_unlock.html"


@router.get("/account/unlock", response_class=HTMLResponse)
def unlock_page(request: Request) -> HTMLResponse:
    return render(request, PAGE, {"stage": "password"})


@router.post("/account/unlock", response_class=HTMLResponse)
def start_unlock(
    request: Request,
    db: SessionDep,
    clock: ClockDep,
    personal_id: Annotated[Text, Form(max_length=12)],
    password: Annotated[Text, Form(max_length=200)],
) -> HTMLResponse:
    pending = holder_unlock.start_unlock(db, clock, personal_id.strip(), password)
    return render(request, PAGE, {"stage": "otp", "personal_id": pending.account.personal_id})


@router.post("/account/unlock/confirm", response_class=HTMLResponse)
def confirm_unlock(
    request: Request,
    db: SessionDep,
    clock: ClockDep,
    personal_id: Annotated[Text, Form(max_length=12)],
    code: Annotated[Text, Form(max_length=10)],
) -> HTMLResponse:
    holder_unlock.confirm_unlock(db, clock, personal_id.strip(), code)
    return message(request, "unlock_title", text_key="unlock_done")
