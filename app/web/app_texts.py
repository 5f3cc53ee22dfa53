"""Texts of the citizen web app (/app), the sandbox panel and the bank demo, Vietnamese (default) and English:
one module per page area in app/web/texts/, merged here (a key is in one area only, a test checks)."""

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
        "too_many_attempts": "Quá nhiều lần thử. Hãy thử lại sau.",
    },
    "en": {
        "insufficient_account_level": "This procedure needs a level 2 VNeID account (registered at the police). "
        "Your account is level 1.",
    },
}


def error_text(lang: str, code: str, detail: str) -> str:
    return ERRORS.get(lang, {}).get(code) or detail
