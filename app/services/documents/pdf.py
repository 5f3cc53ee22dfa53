"""The printable form of a document: an A4 PDF with its fields, tables, QR verification code and sandbox mark.

Source Sans Pro (SIL OFL, shipped by the `font-source-sans-pro` package) is embedded, subset, because it has
every precomposed Vietnamese letter. The output is byte-for-byte stable for a given document and settings:
the PDF's creation date is the issue time, so a file hash identifies a rendering.
"""

import io
import unicodedata
from functools import lru_cache

import font_source_sans_pro
import segno
from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont

from app.core.clock import VIETNAM
from app.models import Document
from app.services.documents.content import DocumentContent

FONT = "SourceSansPro"
SANDBOX_MARK = "SANDBOX — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ / NOT A REAL DOCUMENT"
ISSUER_LINE = "VNeID SANDBOX · DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA"
RED = (200, 30, 30)
GREY = (90, 90, 90)
BLACK = (0, 0, 0)
MARGIN = 18  # mm
QR_SIZE = 34  # mm: scans from a phone held 20-30 cm away
HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))


def verification_url(public_url: str, code: str) -> str:
    return f"{public_url}/v1/documents/{code}/verification"


def _nfc(text: str) -> str:
    # Decomposed input (base letter + combining marks) would print marks apart from their letters.
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1)
def _font_files() -> tuple[str, str]:
    files = font_source_sans_pro.font_files_ttf
    return files["SourceSansPro"], files["SourceSansProBold"]


class _Sheet(FPDF):
    """A4 with the sandbox mark on every page: a red banner on top and a faint diagonal watermark."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        regular, bold = _font_files()
        self.add_font(FONT, "", regular)
        self.add_font(FONT, "B", bold)
        self.set_margins(MARGIN, MARGIN + 8, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)

    def header(self) -> None:
        with self.local_context(fill_opacity=0.08, text_color=RED):
            self.set_font(FONT, "B", 110)
            with self.rotation(55, self.w / 2, self.h / 2):
                width = self.get_string_width("SANDBOX")
                self.text(self.w / 2 - width / 2, self.h / 2 + 15, "SANDBOX")
        self.set_xy(MARGIN, 8)
        self.set_fill_color(*RED)
        self.set_text_color(255, 255, 255)
        self.set_font(FONT, "B", 10)
        self.cell(self.epw, 7, SANDBOX_MARK, align=Align.C, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*BLACK)
        self.set_y(MARGIN + 8)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(self.epw, 5, f"{self.footer_text} · Trang / Page {self.page_no()}/{{nb}}", align=Align.C)
        self.set_text_color(*BLACK)


def render_pdf(document: Document, *, public_url: str, kid: str | None) -> bytes:
    """The document as an A4 PDF; `kid` is the signing key named in the signature block."""
    content = DocumentContent.model_validate(document.payload)
    try:
        return _render(document, content, public_url, kid, tables=True)
    except (ValueError, FPDFException):
        # A table row taller than a page, or a column too narrow for one letter, cannot be drawn as a table:
        # print the same text as plain paragraphs, which break across pages anywhere.
        return _render(document, content, public_url, kid, tables=False)


def _render(document: Document, content: DocumentContent, public_url: str, kid: str | None, *, tables: bool) -> bytes:
    issued = document.issued_at.astimezone(VIETNAM)
    pdf = _Sheet(footer_text=f"VNeID Sandbox · {document.code}")
    try:
        pdf.set_creation_date(issued)
        pdf.set_title(_nfc(content.title))
        pdf.set_subject(_nfc(content.title_en))
        pdf.set_author("VNeID Sandbox")
        pdf.set_creator("VNeID Sandbox")
        pdf.set_lang("vi-VN")
        pdf.add_page()
        _draw(pdf, document, content, public_url, kid, tables=tables)
        return bytes(pdf.output())
    finally:
        for font in pdf.fonts.values():  # output() closes the font files, a failed rendering must too
            if isinstance(font, TTFFont):
                font.close()


def _draw(
    pdf: FPDF, document: Document, content: DocumentContent, public_url: str, kid: str | None, *, tables: bool
) -> None:
    issued = document.issued_at.astimezone(VIETNAM)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    pdf.cell(pdf.epw / 2, 5, ISSUER_LINE)
    pdf.cell(pdf.epw / 2, 5, f"Số / No.: {document.code}", align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_text_color(*BLACK)
    pdf.set_font(FONT, "B", 17)
    pdf.multi_cell(pdf.epw, 8, _nfc(content.title).upper(), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 11)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(pdf.epw, 6, _nfc(content.title_en), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*BLACK)
    pdf.ln(6)

    fields = [(_nfc(f.label), _nfc(f.value)) for f in content.fields]
    if fields and tables:
        pdf.set_font(FONT, "", 10.5)
        with pdf.table(
            col_widths=(38, 62),
            first_row_as_headings=False,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            line_height=6,
            text_align=(Align.L, Align.L),
            padding=(1.2, 1),
        ) as table:
            for label, value in fields:
                row = table.row()
                row.cell(label, style=FontFace(color=GREY))
                row.cell(value, style=FontFace(emphasis="BOLD"))
    elif fields:
        for label, value in fields:
            _paragraph(pdf, label, value)
    pdf.ln(4)

    for section in content.sections:
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(pdf.epw, 7, _nfc(section.heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        rows = [[_nfc(c) for c in section.columns], *([_nfc(c) for c in r] for r in section.rows)]
        if not section.rows:
            rows.append(["//"] * len(section.columns))
        if tables:
            _table(pdf, rows)
        else:
            for cells in rows[1:]:
                for column, cell in zip(rows[0], cells, strict=True):
                    _paragraph(pdf, column, cell)
                pdf.ln(3)
        pdf.ln(4)

    _verification_block(
        pdf, document.code, verification_url(public_url, document.code), issued.strftime("%d/%m/%Y %H:%M"), kid
    )


def _paragraph(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(FONT, "", 9.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(pdf.epw, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_text_color(*BLACK)
    pdf.multi_cell(pdf.epw, 5.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _table(pdf: FPDF, rows: list[list[str]]) -> None:
    size = 9.5 if len(rows[0]) <= 5 else 8.5
    pdf.set_font(FONT, "", size)
    with pdf.table(
        col_widths=_column_widths(pdf, rows, padding=1),
        headings_style=HEADINGS,
        line_height=size * 0.5,
        text_align=Align.L,
        padding=1,
        repeat_headings=1,
    ) as table:
        for cells in rows:
            table.row(cells)


def _column_widths(pdf: FPDF, rows: list[list[str]], padding: float) -> tuple[float, ...]:
    """HTML-style automatic layout: every column gets room for its longest word (headings in bold), and the
    rest of the line goes to the columns whose text is long, in proportion to what they lack."""

    def width(text: str, style: str) -> float:
        pdf.set_font(FONT, style)
        return pdf.get_string_width(text) + 2 * padding + 0.5

    least = [0.0] * len(rows[0])
    most = [0.0] * len(rows[0])
    for index, cells in enumerate(rows):
        style = "B" if index == 0 else ""
        for column, cell in enumerate(cells):
            least[column] = max(least[column], *(width(word, style) for word in cell.split() or [""]))
            most[column] = max(most[column], width(cell, style))
    pdf.set_font(FONT, "")
    if sum(least) >= pdf.epw:  # words must break anyway: no column wider than its fair share
        return tuple(min(m, pdf.epw / len(most)) for m in most)  # fpdf2 scales them to the line
    spare, wanted = pdf.epw - sum(least), [m - lo for m, lo in zip(most, least, strict=True)]
    share = min(1.0, spare / sum(wanted)) if sum(wanted) else 0.0
    widths = [lo + w * share for lo, w in zip(least, wanted, strict=True)]
    return tuple(w * pdf.epw / sum(widths) for w in widths)


def _verification_block(pdf: FPDF, code: str, url: str, issued: str, kid: str | None) -> None:
    """QR code and code on the left, the signature block on the right; kept together on one page."""
    height = QR_SIZE + 12
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    pdf.image(_qr_png(url), x=MARGIN, y=top, w=QR_SIZE, h=QR_SIZE, link=url)
    pdf.set_xy(MARGIN, top + QR_SIZE + 0.5)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(QR_SIZE, 5, code, align=Align.C)

    left = MARGIN + QR_SIZE + 8
    width = pdf.w - MARGIN - left

    def line(text: str, size: float, style: str = "", color: tuple[int, int, int] = BLACK, gap: float = 0) -> None:
        pdf.set_xy(left, pdf.get_y() + gap)
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(width, size * 0.5, text, new_x=XPos.LEFT, new_y=YPos.NEXT)

    pdf.set_y(top + 1)
    line("Ký số bởi / Digitally signed by:", 10.5, "B")
    line(f"VNeID Sandbox document key {kid or '(unknown)'}", 10)
    line(f"Ngày ký / Signed at: {issued} (UTC+7)", 10)
    line("Quét mã QR hoặc mở địa chỉ sau để xác minh / Scan the QR code or open to verify:", 9, color=GREY, gap=2)
    line(url, 9, color=GREY)
    line(SANDBOX_MARK, 9, "B", RED, gap=2)
    pdf.set_text_color(*BLACK)
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE + 6))


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer
