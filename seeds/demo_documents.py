"""The demo's signed 協定書: small PDFs generated here, so that the demo answers
``Agreement.documents`` and ``GET /documents/{id}`` without a real document (and without
any real person's name or seal in it).

``demo_pdf`` writes a one-page PDF 1.4 (Helvetica, ASCII text: the standard fonts carry
no Japanese) with a correct cross-reference table; the same lines give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

UPLOADED_AT = datetime(2022, 3, 10, 1, 0, tzinfo=UTC)
UPLOADED_BY = "（デモ）危機管理室"


@dataclass(frozen=True, slots=True)
class DemoDocument:
    agreement: str  # external_id of the agreement or amendment
    file_name: str
    lines: tuple[str, ...]


DEMO_DOCUMENTS = (
    DemoDocument(
        "demo-agreement-ds-000",
        "災害時における通信設備の応急復旧等に関する協定書（デモ）.pdf",
        (
            "DEMO - signed agreement (kyotei-sho), not a real document",
            "Agreement on emergency restoration of telecommunication facilities",
            "City of Tomakomai (demo) and the counterparty (demo)",
            "Signed: 2022-03-10 (Reiwa 4). Names and seals omitted in the demo.",
        ),
    ),
    DemoDocument(
        "demo-agreement-ds-037-kaisei",
        "災害時における緊急輸送に関する協定書（改正・デモ）.pdf",
        (
            "DEMO - signed amendment (kaisei), not a real document",
            "Amendment of the agreement on emergency transport",
            "Names and seals omitted in the demo.",
        ),
    ),
)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def demo_pdf(lines: Sequence[str]) -> bytes:
    """A valid one-page PDF showing ``lines`` (ASCII)."""
    text = "".join(
        f"BT /F1 12 Tf 72 {760 - 24 * number} Td ({_escape(line)}) Tj ET\n"
        for number, line in enumerate(lines)
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
