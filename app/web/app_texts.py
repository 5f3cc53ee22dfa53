"""Texts of the citizen web app (/app), the sandbox panel and the bank demo, Vietnamese (default) and English:
one module per page area in app/web/texts/, merged here (a key is in one area only, a test checks)."""

from typing import Any

from app.web.texts import bank, citizen, panel, procedures

AREAS = (citizen.TEXTS, procedures.TEXTS, panel.TEXTS, bank.TEXTS)
APP_TEXTS: dict[str, dict[str, str]] = {
    lang: {k: v for area in AREAS for k, v in area[lang].items()} for lang in ("vi", "en")
}

# Readable messages for the services' refusals (AppError codes); others show the service's own detail.
ERRORS: dict[str, dict[str, str]] = {
    "vi": {
        "insufficient_account_level": "Thủ tục này cần tài khoản định danh điện tử mức 2 (đăng ký tại cơ quan công "
        "an). Tài khoản của bạn đang ở mức 1.",
        "application_pending": "Bạn đã có một hồ sơ đăng ký tạm trú đang xử lý.",
        "officer_role_required": "Chức năng này dành cho cán bộ công an.",
        "not_your_turn": "Bước này thuộc về người khác.",
        "invalid_transition": "Không thể thực hiện ở trạng thái hiện tại của hồ sơ.",
        "csrf_refused": "Biểu mẫu không được gửi từ trang của VNeID Sandbox, hoặc trang đã quá cũ. Hãy tải lại trang "
        "và thử lại.",
        "login_other_browser": "Phiên đăng nhập này được bắt đầu trên một trình duyệt khác. Hãy bắt đầu lại từ ứng "
        "dụng bạn đang đăng nhập.",
        "too_many_attempts": "Quá nhiều lần thử. Hãy thử lại sau {minutes} phút.",
        "not_your_child": "Cơ sở dữ liệu quốc gia về dân cư không ghi nhận bạn là cha hoặc mẹ của người này.",
        "not_under_14": "Người từ đủ 14 tuổi tự đăng ký tài khoản định danh điện tử.",
        "id_card_required": "Cần có thẻ căn cước còn hiệu lực (Nghị định 69/2024/NĐ-CP, Điều 7).",
        "account_exists": "Người này đã có tài khoản định danh điện tử.",
        "invalid_credentials": "Sai số định danh cá nhân hoặc mật khẩu.",
        "lock_not_holders": "Tài khoản bị khóa vì lý do khác: Công an cấp xã nơi bạn cư trú mở khóa.",
        "not_locked": "Tài khoản không bị khóa.",
        "invalid_otp": "Mã OTP không đúng.",
        "otp_expired": "Mã xác thực đã hết hạn. Hãy bắt đầu lại.",
    },
    "en": {
        "insufficient_account_level": "This procedure needs a level 2 VNeID account (registered at the police). "
        "Your account is level 1.",
    },
}


def error_text(lang: str, code: str, detail: str, minutes: int = 0) -> str:
    """`minutes`: the wait a throttle's refusal asks for (its text's `{minutes}`)."""
    known = ERRORS.get(lang, {}).get(code)
    return known.format(minutes=minutes) if known else detail


# What a procedure form's citizen is told when the request model refuses it: a cross-field rule by its error type
# (app/schemas), else the field's label and whether it was missing or not valid.
FORM_RULES: dict[str, dict[str, str]] = {
    "vi": {
        "purpose_detail_required": "Khi chọn mục đích “Khác”, hãy ghi mục đích cụ thể.",
        "fee_evidence_required": "Đối tượng miễn, giảm phí cần ghi giấy tờ chứng minh (số, ngày cấp).",
        "one_guest_identity": "Nhập số định danh cá nhân của khách hoặc hộ chiếu, không nhập cả hai.",
        "vietnamese_guest_by_personal_id": "Khách là công dân Việt Nam được thông báo bằng số định danh cá nhân.",
        "missing": "chưa nhập",
        "invalid": "không hợp lệ",
    },
    "en": {
        "purpose_detail_required": "For the purpose “Other”, say what the certificate is for.",
        "fee_evidence_required": "A reduced or exempt fee needs its proof (document number and date).",
        "one_guest_identity": "Give the guest's personal ID or a passport, not both.",
        "vietnamese_guest_by_personal_id": "A Vietnamese guest is notified by personal ID, not passport.",
        "missing": "is missing",
        "invalid": "is not valid",
    },
}


def form_refusal(lang: str, errors: list[dict[str, Any]]) -> str:
    """A refused form's errors (pydantic's `errors()`) as one line in the visitor's language."""
    rules, labels = FORM_RULES[lang], APP_TEXTS[lang]

    def one(error: dict[str, Any]) -> str:
        if error["type"] in rules:
            return rules[error["type"]]
        field = str(error["loc"][-1]) if error["loc"] else ""
        if field not in labels:
            return str(error["msg"])
        return f"{labels[field]}: {rules['missing' if error['type'] == 'missing' else 'invalid']}"

    return "; ".join(dict.fromkeys(one(error) for error in errors))
