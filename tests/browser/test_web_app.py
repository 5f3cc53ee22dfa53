"""The citizen web app in a real browser, through clicks and form input only: sign-in with VNeID (OIDC, PKCE),
the tenant story across three personas, a paid criminal-record certificate, and a level 1 refusal."""

import os
import re
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN_TOKEN, ARTIFACTS, NO_CHROMIUM, Watched

pytestmark = NO_CHROMIUM
# The README's screenshots are refreshed only on request (VNEID_UPDATE_SCREENSHOTS=1), so a test run leaves
# the work tree clean; otherwise they go to the git-ignored artifacts folder.
SCREENSHOTS = (
    Path(__file__).parents[2] / "docs" / "screenshots" if os.environ.get("VNEID_UPDATE_SCREENSHOTS") else ARTIFACTS
)
DUNG = "001175000004"


def sign_in(page: Page, base: str, persona: str, path: str = "/app") -> None:
    """From a page of the app to the VNeID login pages and back, with the sandbox persona panel."""
    page.goto(f"{base}{path}")
    page.wait_for_selector("[data-testid=persona-panel], [data-testid=consent-approve], [data-testid=app-nav]")
    if page.get_by_test_id("persona-panel").count():  # not signed in to VNeID yet in this browser
        page.get_by_test_id(f"persona-{persona}").click()
        page.wait_for_selector("[data-testid=consent-approve], [data-testid=app-nav]")
    if page.get_by_test_id("consent-approve").count():  # the first sign-in to the app asks for consent
        page.get_by_test_id("consent-approve").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base}{path}") + "$"))
    expect(page.get_by_test_id("app-nav")).to_be_visible()
    check_accessibility(page)


def check_accessibility(page: Page) -> None:
    """Every visible input and select has a label; headings never skip a level; the SANDBOX banner is there."""
    page.wait_for_load_state()  # a click returns once a navigation commits: read the new page once it has loaded
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)"""
    )
    assert unlabelled == [], unlabelled
    levels = page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
    assert levels, "no headings"
    assert levels[0] == 1, levels
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    expect(page.get_by_test_id("sandbox-banner")).to_be_visible()


def pay_the_residence_fee(tenant: Page, live: str, code: str) -> None:
    """Once the owner consents, the tenant pays 7,000 VND (Thông tư 75/2022/TT-BTC, filed online)."""
    tenant.goto(f"{live}/app/applications/{code}")
    tenant.get_by_test_id("pay-button").click()
    expect(tenant.get_by_test_id("payment-amount")).to_have_text("7.000 ₫")
    tenant.get_by_test_id("pay-succeed").click()
    expect(tenant.get_by_test_id("application-status")).to_have_text("Đang xét duyệt")


def test_tenant_story_across_three_personas(live: str, open_page: Callable[..., Watched]) -> None:
    cuong = open_page().page
    sign_in(cuong, live, "cuong")
    expect(cuong.get_by_test_id("card-personal-id")).to_have_text("040203000003")
    expect(cuong.get_by_test_id("level-badge")).to_have_text("Mức 2")
    expect(cuong.get_by_test_id("card-qr").locator("svg")).to_be_visible()
    cuong.get_by_test_id("nav-residence").click()
    check_accessibility(cuong)
    cuong.get_by_test_id("street-input").fill("Số 18 ngõ 68 phố Xuân Thủy")
    cuong.get_by_test_id("commune-input").fill("00166")
    cuong.get_by_test_id("owner-input").fill(DUNG)
    cuong.get_by_test_id("proof-select").select_option("lease_contract")
    cuong.get_by_test_id("reason-select").select_option("study")
    cuong.get_by_test_id("residence-submit").click()
    expect(cuong.get_by_test_id("application-status")).to_have_text("Chờ chủ nhà đồng ý")
    code = cuong.get_by_test_id("application-code").inner_text()

    dung = open_page().page
    sign_in(dung, live, "dung", "/app/owner-requests")
    expect(dung.get_by_test_id(f"owner-request-{code}").get_by_test_id("tenant-name")).to_contain_text("Lê Minh Cường")
    dung.get_by_test_id(f"owner-approve-{code}").click()
    expect(dung.get_by_test_id("owner-empty")).to_be_visible()
    pay_the_residence_fee(cuong, live, code)

    police = open_page().page
    sign_in(police, live, "police", "/app/officer")
    police.get_by_test_id(f"queue-link-{code}").click()
    check_accessibility(police)
    expect(police.get_by_test_id("applicant-record")).to_contain_text("Lê Minh Cường")
    police.get_by_test_id("decision-reject").click()  # no reason: refused with a readable message
    expect(police.get_by_test_id("form-error")).to_contain_text("lý do")
    police.get_by_test_id("decision-approve").click()
    expect(police.get_by_test_id("application-status")).to_have_text("Đã phê duyệt")
    police.goto(f"{live}/app/officer")
    police.screenshot(path=str(SCREENSHOTS / "officer-console.png"))

    cuong.get_by_test_id("nav-home").click()
    expect(cuong.get_by_test_id("wallet-item-temporary_residence_confirmation")).to_be_visible()
    expect(cuong.get_by_test_id("temporary-address")).to_contain_text("Số 18 ngõ 68 phố Xuân Thủy")
    expect(cuong.get_by_test_id(f"application-{code}").get_by_test_id("status")).to_have_text("Đã phê duyệt")
    with cuong.expect_download() as download:
        cuong.locator("[data-testid^=wallet-pdf-]").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    cuong.get_by_test_id("logout-button").click()
    expect(cuong.get_by_test_id("signed-out")).to_be_visible()


def test_criminal_record_certificate_paid_and_issued(live: str, open_page: Callable[..., Watched]) -> None:
    em = open_page({"width": 390, "height": 844}).page  # a phone
    sign_in(em, live, "em")
    em.get_by_test_id("nav-record").click()
    check_accessibility(em)
    expect(em.get_by_test_id("file-record-button")).to_have_count(0)  # the fee comes first
    em.get_by_test_id("province-select").select_option("01")
    em.get_by_test_id("quote-button").click()
    expect(em.get_by_test_id("fee-total")).to_have_text("200.000 ₫")
    em.get_by_test_id("file-record-button").scroll_into_view_if_needed()
    em.screenshot(path=str(SCREENSHOTS / "criminal-record-fee-phone.png"))
    em.get_by_test_id("file-record-button").click()
    expect(em.get_by_test_id("application-status")).to_have_text("Chờ thanh toán")
    code = em.get_by_test_id("application-code").inner_text()
    em.get_by_test_id("pay-button").click()
    expect(em.get_by_test_id("payment-amount")).to_have_text("200.000 ₫")
    em.get_by_test_id("pay-fail").click()  # a failed payment leaves the request awaiting payment
    expect(em.get_by_test_id("application-status")).to_have_text("Chờ thanh toán")
    em.get_by_test_id("pay-button").click()
    em.get_by_test_id("pay-succeed").click()
    expect(em.get_by_test_id("application-status")).to_have_text("Đang xác minh")

    records = open_page().page
    sign_in(records, live, "records", "/app/officer")
    records.get_by_test_id(f"queue-link-{code}").click()
    records.get_by_test_id("decision-approve").click()
    expect(records.get_by_test_id("application-status")).to_have_text("Đã cấp")

    em.get_by_test_id("nav-home").click()
    expect(em.get_by_test_id("wallet-item-criminal_record_certificate")).to_be_visible()
    em.set_viewport_size({"width": 1100, "height": 900})
    em.goto(f"{live}/app?lang=en")
    expect(em.get_by_test_id("level-badge")).to_have_text("Level 2")
    em.screenshot(path=str(SCREENSHOTS / "citizen-home.png"))


def test_level1_persona_is_refused_with_a_readable_message(live: str, open_page: Callable[..., Watched]) -> None:
    binh = open_page().page
    sign_in(binh, live, "binh", "/app/residence/new")
    binh.get_by_test_id("street-input").fill("Số 18 ngõ 68 phố Xuân Thủy")
    binh.get_by_test_id("commune-input").fill("00166")
    binh.get_by_test_id("owner-input").fill(DUNG)
    binh.get_by_test_id("residence-submit").click()
    expect(binh.get_by_test_id("form-error")).to_contain_text("tài khoản định danh điện tử mức 2")
    binh.get_by_test_id("nav-home").click()
    expect(binh.get_by_test_id("level-badge")).to_have_text("Mức 1")
    expect(binh.get_by_test_id("wallet-level1")).to_be_visible()


def test_bank_demo_login_then_consent_revoked_in_the_app(live: str, open_page: Callable[..., Watched]) -> None:
    an = open_page().page
    an.goto(f"{live}/demo/bank")
    check_accessibility(an)
    an.get_by_test_id("bank-start").click()
    an.get_by_test_id("persona-an").click()
    expect(an.get_by_test_id("client-purpose")).to_be_visible()  # the consent screen names the bank's purpose
    an.get_by_test_id("consent-approve").click()
    expect(an.get_by_test_id("bank-done")).to_be_visible()
    expect(an.get_by_test_id("claim-personal_id")).to_have_text("001090000001")
    expect(an.get_by_test_id("idt-acr")).to_have_text("urn:vneid:loa:2")
    expect(an.get_by_test_id("verification-result")).to_contain_text('"match": true')

    sign_in(an, live, "an")  # the same browser: the VNeID session is reused, the app asks for its own consent
    expect(an.get_by_test_id("access-log").get_by_test_id("access-entry").first).to_contain_text("Ngân hàng Demo")
    an.get_by_test_id("revoke-consent-demo-bank").click()
    expect(an.get_by_test_id("consent-demo-bank").get_by_test_id("consent-revoked")).to_be_visible()


def test_bank_demo_refuses_a_level1_account(live: str, open_page: Callable[..., Watched]) -> None:
    binh = open_page().page
    binh.goto(f"{live}/demo/bank?lang=en")
    binh.get_by_test_id("bank-start").click()
    binh.get_by_test_id("persona-binh").click()
    expect(binh.get_by_test_id("bank-error")).to_contain_text("unmet_authentication_requirements")


def test_one_click_sign_in_from_the_home_page(live: str, open_page: Callable[..., Watched]) -> None:
    an = open_page().page
    an.goto(live)
    check_accessibility(an)
    an.get_by_test_id("sign-in-as-an").click()
    an.wait_for_selector("[data-testid=consent-approve], [data-testid=app-nav]")
    if an.get_by_test_id("consent-approve").count():
        an.get_by_test_id("consent-approve").click()
    expect(an.get_by_test_id("card-personal-id")).to_have_text("001090000001")


def test_supplementation_requested_then_answered(live: str, open_page: Callable[..., Watched]) -> None:
    cuong = open_page().page
    sign_in(cuong, live, "cuong", "/app/residence/new")
    cuong.get_by_test_id("street-input").fill("Số 18 ngõ 68 phố Xuân Thủy")
    cuong.get_by_test_id("commune-input").fill("00166")
    cuong.get_by_test_id("owner-input").fill(DUNG)
    cuong.get_by_test_id("residence-submit").click()
    expect(cuong.get_by_test_id("application-status")).to_have_text("Chờ chủ nhà đồng ý")
    code = cuong.get_by_test_id("application-code").inner_text()
    expect(cuong.get_by_test_id("withdraw-button")).to_be_visible()  # shown while withdrawing is allowed
    expect(cuong.get_by_test_id("resubmit-form")).to_have_count(0)

    dung = open_page().page
    sign_in(dung, live, "dung", "/app/owner-requests")
    dung.get_by_test_id(f"owner-approve-{code}").click()
    expect(dung.get_by_test_id("owner-empty")).to_be_visible()
    pay_the_residence_fee(cuong, live, code)
    police = open_page().page
    sign_in(police, live, "police", f"/app/officer/{code}")
    police.get_by_test_id("decision-reason-input").fill("Thiếu bản sao hợp đồng thuê nhà có chữ ký")
    police.get_by_test_id("decision-request_supplement").click()
    expect(police.get_by_test_id("application-status")).to_have_text("Yêu cầu bổ sung")

    cuong.get_by_test_id("nav-home").click()
    expect(cuong.get_by_test_id(f"notification-{code}").first).to_contain_text("Yêu cầu bổ sung")
    cuong.goto(f"{live}/app/applications/{code}")
    check_accessibility(cuong)
    expect(cuong.get_by_test_id("decision-reason")).to_contain_text("Thiếu bản sao")
    cuong.get_by_test_id("resubmit-proof").select_option("ownership_certificate")
    cuong.get_by_test_id("resubmit-note").fill("Đã bổ sung giấy chứng nhận")
    cuong.get_by_test_id("resubmit-button").click()
    expect(cuong.get_by_test_id("application-status")).to_have_text("Đang xét duyệt")
    expect(cuong.get_by_test_id("history")).to_contain_text("Đã bổ sung giấy chứng nhận")
    cuong.get_by_test_id("withdraw-reason").fill("Đổi chỗ ở")
    cuong.get_by_test_id("withdraw-button").click()
    expect(cuong.get_by_test_id("application-status")).to_have_text("Đã rút")


def test_accommodation_notice_filed_in_the_browser(live: str, open_page: Callable[..., Watched]) -> None:
    dung = open_page().page
    sign_in(dung, live, "dung", "/app/accommodation/new")
    check_accessibility(dung)
    dung.get_by_test_id("guest-input").fill("040203000003")
    dung.get_by_test_id("notice-street-input").fill("Số 5 phố Huế")
    dung.get_by_test_id("notice-commune-input").fill("00166")
    dung.get_by_test_id("notice-reason-input").fill("Thăm người thân")
    dung.get_by_test_id("notice-submit").click()
    expect(dung.get_by_test_id("application-status")).to_have_text("Đã ghi nhận")
    code = dung.get_by_test_id("application-code").inner_text()
    dung.get_by_test_id("nav-owner").click()
    expect(dung.get_by_test_id(f"notice-{code}")).to_contain_text("040203000003")


def test_sandbox_panel_clock_keys_and_webhook_receiver(live: str, open_page: Callable[..., Watched]) -> None:
    admin = open_page().page
    admin.goto(f"{live}/app/sandbox")
    check_accessibility(admin)
    admin.get_by_test_id("admin-token-input").fill("not-the-token")
    admin.get_by_test_id("panel-sign-in").click()
    expect(admin.get_by_test_id("panel-error")).to_be_visible()
    admin.get_by_test_id("admin-token-input").fill(ADMIN_TOKEN)
    admin.get_by_test_id("panel-sign-in").click()
    check_accessibility(admin)
    expect(admin.get_by_test_id("clock-offset")).to_have_text("0")
    before = admin.get_by_test_id("clock-now").inner_text()
    admin.get_by_test_id("advance-days").fill("3")
    admin.get_by_test_id("advance-button").click()
    expect(admin.get_by_test_id("clock-offset")).to_have_text(str(3 * 86400))
    assert admin.get_by_test_id("clock-now").inner_text() > before
    admin.get_by_test_id("clock-reset-button").click()
    expect(admin.get_by_test_id("clock-offset")).to_have_text("0")

    retired = admin.get_by_test_id("key-status-retired").count()
    active = set(admin.get_by_test_id("key-kid").all_inner_texts())
    admin.get_by_test_id("rotate-button").click()
    expect(admin.get_by_test_id("key-status-retired")).to_have_count(retired + 2)  # one per algorithm
    assert set(admin.get_by_test_id("key-kid").all_inner_texts()) > active
    expect(admin.get_by_test_id("receiver-hint")).to_contain_text(f"{live}/sandbox/receiver/demo")

    # An integrator (the bank) subscribes its webhook to the built-in receiver; a citizen revokes its consent.
    with httpx.Client(base_url=live, timeout=10) as http:
        token = http.post(
            "/oauth2/token", auth=("demo-bank", "demo-bank-secret"), data={"grant_type": "client_credentials"}
        ).json()["access_token"]
        secret = http.post(
            "/v1/webhooks",
            headers={"Authorization": f"Bearer {token}"},
            json={"url": f"{live}/sandbox/receiver/demo", "events": ["consent.revoked"]},
        ).json()["secret"]
        granted = http.post(
            "/sandbox/consents",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            json={
                "personal_id": "001090000001",
                "client_id": "demo-bank",
                "purpose": "Mở tài khoản",
                "scopes": ["citizen.identity"],
            },
        )
        assert granted.status_code == 201, granted.text
    an = open_page().page
    sign_in(an, live, "an")
    an.get_by_test_id("revoke-consent-demo-bank").first.click()

    admin.get_by_test_id("receiver-secret").fill(secret)
    admin.get_by_test_id("receiver-show").click()
    for _ in range(20):  # the dispatcher delivers within about a second
        if admin.get_by_test_id("delivery").count():
            break
        admin.wait_for_timeout(500)
        admin.get_by_test_id("receiver-secret").fill(secret)
        admin.get_by_test_id("receiver-show").click()
    expect(admin.get_by_test_id("delivery").first).to_contain_text("consent.revoked")
    expect(admin.get_by_test_id("signature-ok").first).to_be_visible()
    admin.get_by_test_id("receiver-secret").fill("not-the-secret")
    admin.get_by_test_id("receiver-show").click()
    expect(admin.get_by_test_id("signature-bad").first).to_be_visible()


def _contrast(page: Page, selector: str) -> float:
    """WCAG contrast ratio of an element's text colour against its (opaque) background colour."""
    return page.evaluate(
        """(selector) => {
            const style = getComputedStyle(document.querySelector(selector));
            const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
            const lum = ([r, g, b]) => [r, g, b].map((v) => {
                v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
            }).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
            const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
            return (a + 0.05) / (b + 0.05);
        }""",
        selector,
    )


def test_main_palette_has_enough_contrast(live: str, open_page: Callable[..., Watched]) -> None:
    visitor = open_page().page
    visitor.goto(live)
    assert _contrast(visitor, "[data-testid=sandbox-banner]") >= 4.5
    assert _contrast(visitor, "body") >= 4.5
