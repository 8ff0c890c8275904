"""The signed 協定書's rules (domain/agreements/documents.py) at their edges, without a
database; the demo PDF generator's output checked as a reader would."""

from __future__ import annotations

import hashlib
import re

import pytest

from kyodo.domain import validation as v
from kyodo.domain.agreements.documents import (
    END_WINDOW,
    clean_file_name,
    content_problems,
    stored_problem,
)
from kyodo.domain.errors import ErrorCode
from kyodo.seeds.demo_documents import DEMO_DOCUMENTS, DemoDocument, demo_pdf

PDF = demo_pdf(["test"])


def codes(content: bytes, max_bytes: int | None = None) -> list[ErrorCode]:
    return [p.code for p in content_problems(content, max_bytes=max_bytes)]


def test_the_size_limit_is_inclusive() -> None:
    assert codes(PDF, max_bytes=len(PDF)) == []
    assert codes(PDF, max_bytes=len(PDF) - 1) == [ErrorCode.INVALID]


def test_the_bytes_decide_not_the_name_or_header() -> None:
    assert codes(b"") == [ErrorCode.REQUIRED]
    assert codes(b" " + PDF) == [ErrorCode.INVALID]  # %PDF- must open the file
    assert codes(b"%PDF" + PDF[5:]) == [ErrorCode.INVALID]
    assert codes(b"GIF89a" + PDF) == [ErrorCode.INVALID]


def test_eof_marker_must_lie_within_the_last_kilobyte() -> None:
    assert codes(PDF + b"\0" * (END_WINDOW - len(b"%%EOF\n"))) == []
    assert codes(PDF + b"\0" * END_WINDOW) == [ErrorCode.INVALID]
    assert codes(PDF[: PDF.rindex(b"%%EOF")]) == [ErrorCode.INVALID]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("協定書.pdf", "協定書.pdf"),
        ("C:\\Users\\demo\\協定書.pdf", "協定書.pdf"),  # a path some browsers send
        ("/tmp/　署名済み.pdf　", "署名済み.pdf"),
        ("カ\u3099イド.pdf", "ガイド.pdf"),  # decomposed (macOS) to composed: NFC
    ],
)
def test_file_names_keep_their_last_part_trimmed(given: str, kept: str) -> None:
    problems = v.Problems()
    assert clean_file_name(problems, given) == kept
    assert not problems


@pytest.mark.parametrize(
    ("given", "code"),
    [
        (None, ErrorCode.REQUIRED),
        ("  ", ErrorCode.REQUIRED),
        ("dir/", ErrorCode.REQUIRED),
        ("a\u202eexe.pdf", ErrorCode.INVALID),  # right-to-left override hides the extension
        ("a\tb.pdf", ErrorCode.INVALID),
        ("x" * 201, ErrorCode.INVALID),
    ],
)
def test_file_names_that_cannot_be_stored(given: str | None, code: ErrorCode) -> None:
    problems = v.Problems()
    clean_file_name(problems, given)
    assert [p.code for p in problems.items] == [code]
    assert problems.items[0].field == "file_name"


def test_a_stored_row_must_match_its_digest_and_size() -> None:
    row = {"content": PDF, "size_bytes": len(PDF), "sha256": hashlib.sha256(PDF).hexdigest()}
    assert stored_problem(row) is None
    assert "SHA-256" in (stored_problem({**row, "sha256": "0" * 64}) or "")
    assert "大きさ" in (stored_problem({**row, "size_bytes": 1}) or "")
    assert "%PDF-" in (stored_problem({**row, "content": b"plain text"}) or "")


@pytest.mark.parametrize("document", DEMO_DOCUMENTS, ids=lambda d: d.agreement)
def test_demo_pdfs_have_a_cross_reference_table_a_reader_can_follow(
    document: DemoDocument,
) -> None:
    pdf = demo_pdf(document.lines)
    assert content_problems(pdf, max_bytes=None) == []
    # startxref points at the xref table, whose entries point at each "N 0 obj"
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[start:].startswith(b"xref\n0 6\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", pdf[start:])]
    assert [pdf[o : o + 7] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 6)]
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))  # type: ignore[union-attr]
    stream = pdf.index(b"stream\n") + len(b"stream\n")
    assert pdf[stream + length :].startswith(b"endstream")
    assert demo_pdf(document.lines) == pdf  # same lines, same bytes
