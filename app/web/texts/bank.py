"""Texts of the bank demo (/demo/bank), a relying party that signs its customers in with VNeID; vi and en."""

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "bank_title": "Ngân hàng Demo — mở tài khoản với VNeID",
        "bank_intro": "Một bên tích hợp (relying party) dùng sandbox qua HTTP như thật: đăng nhập OIDC với PKCE và "
        "mức định danh 2, kiểm tra ID token theo JWKS, gọi userinfo và API xác thực công dân.",
        "bank_start": "Mở tài khoản với VNeID",
        "bank_claims": "Thông tin nhận được (userinfo)",
        "bank_id_token": "ID token đã được kiểm tra",
        "bank_verify": "Kết quả xác thực công dân (POST /v1/citizens/verify)",
        "bank_done": "Đã xác minh danh tính khách hàng.",
    },
    "en": {
        "bank_title": "Demo Bank — open an account with VNeID",
        "bank_intro": "A relying party using the sandbox over HTTP like a real integrator: OIDC sign-in with PKCE "
        "and account level 2, ID-token validation against the JWKS, userinfo and the citizen verification API.",
        "bank_start": "Open an account with VNeID",
        "bank_claims": "Claims received (userinfo)",
        "bank_id_token": "Validated ID token",
        "bank_verify": "Citizen verification (POST /v1/citizens/verify)",
        "bank_done": "Customer identity verified.",
    },
}
