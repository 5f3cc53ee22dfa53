"""The texts of the citizen-facing pages, in Vietnamese (default) and English."""

from fastapi import Request

LANGUAGES = ("vi", "en")
LANGUAGE_COOKIE = "vneid_lang"

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "sandbox_banner": "MÔI TRƯỜNG THỬ NGHIỆM — dữ liệu giả lập, không phải VNeID thật",
        "sign_in_title": "Đăng nhập bằng tài khoản định danh điện tử",
        "signing_in_to": "Đăng nhập vào",
        "personal_id": "Số định danh cá nhân",
        "password": "Mật khẩu",
        "sign_in": "Đăng nhập",
        "personas_title": "Chọn nhanh nhân vật thử nghiệm",
        "personas_help": "Một lần bấm: đăng nhập như nhân vật này (bỏ qua mật khẩu và mã OTP).",
        "otp_title": "Nhập mã xác thực",
        "otp_help": "Mã gồm 6 chữ số đã được gửi tới số điện thoại đăng ký. Nhân vật thử nghiệm dùng mã 123456; "
        "các tài khoản khác xem mã trong hộp thư thử nghiệm.",
        "otp": "Mã OTP",
        "confirm": "Xác nhận",
        "consent_title": "Đồng ý chia sẻ thông tin",
        "consent_intro": "yêu cầu truy cập các thông tin sau của bạn:",
        "consent_purpose": "Mục đích",
        "consent_sensitive_title": "Dữ liệu cá nhân nhạy cảm",
        "consent_sensitive_note": "Theo Nghị định 356/2025/NĐ-CP, dân tộc, tôn giáo và nhóm máu là dữ liệu cá nhân "
        "nhạy cảm: chỉ được chia sẻ khi bạn đồng ý riêng. Nếu không đánh dấu, các thông tin khác vẫn được chia sẻ.",
        "consent_sensitive_agree": "Tôi đồng ý chia sẻ dữ liệu cá nhân nhạy cảm này",
        "signed_in_as": "Bạn đang đăng nhập là",
        "not_you": "Không phải bạn? Đăng xuất và đăng nhập bằng tài khoản khác",
        "logout_title": "Đăng xuất khỏi VNeID?",
        "logout_question": "Bạn có muốn đăng xuất khỏi VNeID Sandbox không?",
        "logout_confirm": "Đăng xuất",
        "logout_cancel": "Ở lại",
        "approve": "Đồng ý",
        "decline": "Từ chối",
        "error_title": "Không thể tiếp tục",
        "signed_out_title": "Đã đăng xuất",
        "signed_out": "Bạn đã đăng xuất khỏi VNeID Sandbox.",
        "language": "English",
        "invalid_credentials": "Sai số định danh cá nhân hoặc mật khẩu.",
        "account_locked": "Tài khoản đang bị khóa.",
        "citizen_deceased": "Công dân đã mất; tài khoản bị khóa vĩnh viễn.",
        "no_account": "Công dân này chưa có tài khoản định danh điện tử.",
        "account_pending": "Tài khoản đang chờ kích hoạt.",
        "invalid_otp": "Mã OTP không đúng.",
        "unknown_persona": "Không có nhân vật thử nghiệm này.",
        "unlock_title": "Mở khóa tài khoản định danh điện tử",
        "unlock_help": "Nếu bạn đã tự khóa tài khoản, hãy nhập số định danh cá nhân và mật khẩu; mã xác thực sẽ được "
        "gửi tới số điện thoại đăng ký. Tài khoản bị khóa vì lý do khác do Công an cấp xã mở khóa.",
        "unlock_send_code": "Gửi mã xác thực",
        "unlock_link": "Bạn đã tự khóa tài khoản? Mở khóa tại đây",
        "unlock_done": "Tài khoản đã được mở khóa. Bạn có thể đăng nhập lại.",
    },
    "en": {
        "sandbox_banner": "SANDBOX — synthetic data, not the real VNeID",
        "sign_in_title": "Sign in with your electronic identity account",
        "signing_in_to": "Signing in to",
        "personal_id": "Personal identification number",
        "password": "Password",
        "sign_in": "Sign in",
        "personas_title": "Pick a test persona",
        "personas_help": "One click: sign in as this persona (password and one-time code skipped).",
        "otp_title": "Enter the one-time code",
        "otp_help": "A 6-digit code was sent to the registered phone. Personas use 123456; other accounts find "
        "their code in the sandbox inbox.",
        "otp": "One-time code",
        "confirm": "Confirm",
        "consent_title": "Consent to share your data",
        "consent_intro": "asks to access the following data about you:",
        "consent_purpose": "Purpose",
        "consent_sensitive_title": "Sensitive personal data",
        "consent_sensitive_note": "Under Decree 356/2025/NĐ-CP, ethnicity, religion and blood type are sensitive "
        "personal data: they are shared only with your separate consent. Left unticked, the other data are still "
        "shared.",
        "consent_sensitive_agree": "I consent to sharing these sensitive personal data",
        "signed_in_as": "You are signed in as",
        "not_you": "Not you? Sign out and sign in with another account",
        "logout_title": "Sign out of VNeID?",
        "logout_question": "Do you want to sign out of VNeID Sandbox?",
        "logout_confirm": "Sign out",
        "logout_cancel": "Stay signed in",
        "approve": "Allow",
        "decline": "Decline",
        "error_title": "Cannot continue",
        "signed_out_title": "Signed out",
        "signed_out": "You are signed out of VNeID Sandbox.",
        "language": "Tiếng Việt",
        "invalid_credentials": "Wrong personal identification number or password.",
        "account_locked": "The account is locked.",
        "citizen_deceased": "The citizen has died; the account is locked for good.",
        "no_account": "This citizen has no electronic identity account.",
        "account_pending": "The account is waiting for activation.",
        "invalid_otp": "Wrong one-time code.",
        "unknown_persona": "No such persona.",
        "unlock_title": "Unlock your electronic identity account",
        "unlock_help": "If you locked your account yourself, enter your personal ID and password; a code is sent "
        "to the registered phone. Accounts locked for other reasons are unlocked by the commune police.",
        "unlock_send_code": "Send the code",
        "unlock_link": "Did you lock your account yourself? Unlock it here",
        "unlock_done": "Your account is unlocked. You can sign in again.",
    },
}

SCOPE_LABELS = {
    "vi": {
        "openid": "Mã định danh tài khoản và mức độ tài khoản",
        "profile": "Họ tên, ngày sinh, giới tính, số định danh cá nhân",
        "address": "Địa chỉ thường trú",
        "phone": "Số điện thoại",
        "citizen.identity": "Thông tin nhân thân trong CSDL quốc gia về dân cư",
        "citizen.residence": "Thông tin cư trú",
        "citizen.family": "Thông tin hộ gia đình và quan hệ gia đình",
        "citizen.contact": "Thông tin liên hệ",
        "citizen.sensitive": "Dân tộc, tôn giáo, nhóm máu (dữ liệu cá nhân nhạy cảm)",
        "citizen.verify": "Xác thực thông tin danh tính",
        "offline_access": "Truy cập cả khi bạn không sử dụng ứng dụng (làm mới phiên)",
    },
    "en": {
        "openid": "Account identifier and account level",
        "profile": "Name, date of birth, sex, personal identification number",
        "address": "Permanent address",
        "phone": "Phone number",
        "citizen.identity": "Identity data in the national population database",
        "citizen.residence": "Residence data",
        "citizen.family": "Household and family relations",
        "citizen.contact": "Contact data",
        "citizen.sensitive": "Ethnicity, religion, blood type (sensitive personal data)",
        "citizen.verify": "Verification of identity data",
        "offline_access": "Access while you are not using the application (refresh tokens)",
    },
}


def language(request: Request) -> str:
    """`?lang=` first (the switch, or the client's ui_locales carried to the login page), then the cookie the
    switch sets; Vietnamese by default."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return "vi"


def preferred_language(ui_locales: str | None) -> str | None:
    """The first supported language of an OIDC `ui_locales` list (`en-US vi` → `en`)."""
    for tag in (ui_locales or "").split():
        if tag[:2].lower() in LANGUAGES:
            return tag[:2].lower()
    return None
