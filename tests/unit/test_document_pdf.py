"""The printed document: Vietnamese text survives a round trip through an independent PDF reader (pypdf)."""

import io
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pypdf
import pytest

from app.models import Document
from app.services.documents import render_pdf
from app.services.documents.content import DocumentContent

KID = "gP2k1x0YfQ4cXb6hXn3nM2lVj7o2wDqkQ0h3s1y8T9A"
PUBLIC_URL = "http://sandbox.test"
CODE = "VN7K3M9Q2X4D"
CERTIFICATE: dict[str, Any] = {
    "title": "Phiếu lý lịch tư pháp số 1",
    "title_en": "Criminal record certificate No. 1",
    "fields": [
        {"label": "Họ và tên / Full name", "value": "NGUYỄN VĂN AN"},
        {"label": "Ngày sinh / Date of birth", "value": "15/03/1990"},
        {"label": "Nơi tạm trú / Temporary address", "value": "//"},
        {"label": "Tình trạng án tích / Criminal record", "value": "Không có án tích"},
    ],
    "data": {"personal_id": "001090000001", "has_convictions": False},
}


def make_document(payload: dict[str, Any] = CERTIFICATE) -> Document:
    return Document(
        id="0" * 32,
        code=CODE,
        kind="criminal_record_certificate",
        owner_personal_id="001090000001",
        payload=payload,
        jws="not-used-by-the-renderer",
        issued_at=datetime(2026, 3, 2, 3, 4, tzinfo=UTC),
    )


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def certificate_pdf() -> bytes:
    return render_pdf(make_document(), public_url=PUBLIC_URL, kid=KID)


def test_vietnamese_text_round_trips_through_a_pdf_reader(certificate_pdf: bytes) -> None:
    text = text_of(certificate_pdf)

    assert "NGUYỄN VĂN AN" in text
    assert "Không có án tích" in text
    assert "Tình trạng án tích / Criminal record" in text
    assert "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1" in text  # the title in capitals, Vietnamese letters included
    assert "Criminal record certificate No. 1" in text


def test_pdf_carries_the_sandbox_mark_code_signature_and_verification_url(certificate_pdf: bytes) -> None:
    text = text_of(certificate_pdf)

    assert "SANDBOX — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ / NOT A REAL DOCUMENT" in text
    assert f"Ký số bởi / Digitally signed by:\nVNeID Sandbox document key {KID}" in text
    assert f"{PUBLIC_URL}/v1/documents/{CODE}/verification" in text
    assert CODE in text
    assert "Ngày ký / Signed at: 02/03/2026 10:04 (UTC+7)" in text  # issue time shown in Vietnam's zone


def test_pdf_is_a4_and_embeds_source_sans_pro_regular_and_bold(certificate_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    fonts = {}
    for font in page["/Resources"]["/Font"].values():
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        fonts[str(font.get_object()["/BaseFont"])] = "/FontFile2" in descendant["/FontDescriptor"].get_object()
    assert {re.sub(r"^/?[A-Z]{6}\+", "", name): embedded for name, embedded in fonts.items()} == {
        "SourceSansPro": True,
        "SourceSansProBold": True,
    }


def test_pdf_has_a_qr_code_image(certificate_pdf: bytes) -> None:
    page = pypdf.PdfReader(io.BytesIO(certificate_pdf)).pages[-1]
    assert len(page.images) == 1


def test_same_document_renders_to_the_same_bytes(certificate_pdf: bytes) -> None:
    assert render_pdf(make_document(), public_url=PUBLIC_URL, kid=KID) == certificate_pdf


def test_decomposed_input_prints_as_composed_letters() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    payload = {**CERTIFICATE, "fields": [{"label": "Họ và tên / Full name", "value": nfd}]}

    text = text_of(render_pdf(make_document(payload), public_url=PUBLIC_URL, kid=KID))

    assert "Nguyễn Thị Ánh" in text


def test_sections_print_as_tables_that_wrap_long_text_across_pages() -> None:
    offence = "Trộm cắp tài sản (Điều 173 Bộ luật Hình sự năm 2015, sửa đổi, bổ sung năm 2017) " * 3
    payload = {
        **CERTIFICATE,
        "sections": [
            {
                "heading": "Án tích / Convictions",
                "columns": ["Bản án số / Judgment", "Tòa án / Court", "Tội danh / Offence", "Tình trạng / Status"],
                "rows": [
                    [f"{n}/2015/HS-ST", "Tòa án nhân dân quận Lê Chân", offence, "Chưa được xóa án tích"]
                    for n in range(1, 9)
                ],
            }
        ],
    }

    pdf = render_pdf(make_document(payload), public_url=PUBLIC_URL, kid=KID)

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = text_of(pdf)
    assert "Án tích / Convictions" in text
    assert "8/2015/HS-ST" in text
    flowing = " ".join(text.split())  # text wraps inside its cell
    assert "Chưa được xóa án tích" in flowing
    assert 2 <= flowing.count("Bản án số / Judgment") < 8  # a table whose headings repeat on each page
    assert "Trang / Page 2/" in text
    assert text.count("SANDBOX — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ / NOT A REAL DOCUMENT") >= len(reader.pages)


def test_a_value_too_long_for_a_table_row_prints_as_paragraphs_across_pages() -> None:
    payload = {
        **CERTIFICATE,
        "fields": [
            {"label": "Ghi chú / Note", "value": "Nội dung rất dài. " * 400},
            {"label": "Họ và tên / Full name", "value": "NGUYỄN VĂN AN"},
        ],
    }

    pdf = render_pdf(make_document(payload), public_url=PUBLIC_URL, kid=KID)

    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 2
    text = text_of(pdf)
    assert "NGUYỄN VĂN AN" in text
    assert f"VNeID Sandbox document key {KID}" in text


def test_unbreakable_words_in_many_columns_still_print() -> None:
    columns = [f"Cột {n}" for n in range(12)]
    payload = {
        **CERTIFICATE,
        "sections": [{"heading": "Bảng / Table", "columns": columns, "rows": [["x" * 500, *["ngắn"] * 11]]}],
    }

    text = text_of(render_pdf(make_document(payload), public_url=PUBLIC_URL, kid=KID))

    assert "Cột 11" in text
    assert "Không có án tích" in text


def test_a_section_wider_than_a_page_can_print_is_refused() -> None:
    section = {"heading": "Bảng", "columns": [str(n) for n in range(13)], "rows": []}

    with pytest.raises(ValueError, match="at most 12"):
        DocumentContent.model_validate({**CERTIFICATE, "sections": [section]})


def test_a_row_must_fill_its_columns() -> None:
    section = {"heading": "Bảng", "columns": ["A", "B"], "rows": [["only one"]]}

    with pytest.raises(ValueError, match="1 cells for 2 columns"):
        DocumentContent.model_validate({**CERTIFICATE, "sections": [section]})
