"""The printable disaster contact list in a real browser (headless Chromium).

Needs Debian's chromium (``apt-get install -y chromium poppler-utils fonts-noto-cjk``):
without /usr/bin/chromium the test is skipped locally and fails in CI, where it must run.
``pdftotext`` (poppler-utils) checks the printed pages; without it that part is skipped.
"""

from __future__ import annotations

import asyncio
import html
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kyodo.domain.agreements.lookup import disaster_support
from kyodo.domain.enums import SupportCategory
from kyodo.domain.exchange import exports
from kyodo.domain.exchange.exports import ExportFormat

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get install -y chromium poppler-utils fonts-noto-cjk"
ON = date(2022, 3, 10)
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_SECONDS = 60


def require_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"Chromium is not installed at {CHROMIUM} (install it with: {INSTALL})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(f"{message}; browser test skipped")


async def run(*command: str) -> bytes:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, stderr.decode(errors="replace")[-2000:]
    return stdout


@dataclass
class Printed:
    dom: str
    pdf: Path
    pages: list[str] | None
    """The text of each printed page (pdftotext), None without poppler-utils."""

    def require_pages(self) -> list[str]:
        if self.pages is None:
            pytest.skip(f"pdftotext is not installed (install it with: {INSTALL})")
        return self.pages


@pytest.fixture(scope="module")
async def printed(engine: AsyncEngine, tmp_path_factory: pytest.TempPathFactory) -> Printed:
    """The page for 2022-03-10 opened in Chromium once per database: its DOM and its PDF.

    Launching a browser takes seconds, so the tests of this module share one launch."""
    chromium = require_chromium()
    async with AsyncSession(engine) as session:
        export = await exports.export_disaster_contacts(session, fmt=ExportFormat.HTML, on=ON)
    tmp_path = tmp_path_factory.mktemp("chromium")
    page = tmp_path / export.filename
    page.write_bytes(export.body)
    pdf = tmp_path / "list.pdf"
    dom = await run(
        str(chromium),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        f"--print-to-pdf={pdf}",
        page.as_uri(),
    )
    pages = None
    pdftotext = shutil.which("pdftotext")
    if pdftotext is not None and pdf.exists():
        text = await run(pdftotext, "-layout", str(pdf), "-")
        pages = [page for page in text.decode("utf-8").split("\f") if page.strip()]
    return Printed(dom=dom.decode("utf-8"), pdf=pdf, pages=pages)


def section(dom: str, category: SupportCategory) -> str:
    start = dom.index(f'id="category-{category.value}"')
    return dom[start : dom.index("</section>", start)]


async def test_chromium_renders_the_supply_partners_and_their_phone_numbers(
    session: AsyncSession, printed: Printed
):
    # given who supplies goods on 2022-03-10 and how to reach them
    rows = await disaster_support(
        session, categories=[SupportCategory.SUPPLIES], on=ON, district=None
    )
    assert len(rows) > 20
    # when Chromium has rendered the page
    supplies = section(printed.dom, SupportCategory.SUPPLIES)
    # then every one of them is in the 物資供給 table with each of their phone numbers
    assert "物資供給" in supplies
    for row in rows:
        assert html.escape(row.partner.name, quote=False) in supplies, row.partner.name
        for contact in row.emergency_contacts:
            assert contact.phone and contact.phone in supplies, (row.partner.name, contact)
    # and the date of the list is on it in wareki and ISO
    assert "令和4年3月10日（2022-03-10）現在" in printed.dom


async def test_chromium_prints_the_date_on_every_page(printed: Printed):
    # given the page printed to PDF by Chromium
    assert printed.pdf.read_bytes().startswith(b"%PDF-")
    # when reading the text of each printed page
    pages = printed.require_pages()
    # then the list runs over several A4 pages and each names the date in wareki and ISO
    assert len(pages) > 5
    for number, page in enumerate(pages, start=1):
        assert "令和4年3月10日" in page, f"page {number} has no date"
        assert "2022-03-10" in page, f"page {number} has no ISO date"


async def test_chromium_keeps_each_partners_contacts_on_one_page(
    session: AsyncSession, printed: Printed
):
    # given partners reached through two or more contacts (one table row each)
    rows = await disaster_support(session, categories=None, on=ON, district=None)
    several = [r for r in rows if len(r.emergency_contacts) > 1]
    assert several
    # when reading the printed pages
    pages = printed.require_pages()
    # then all phone numbers of such a partner are on a page together (rows are not split)
    for row in several:
        phones = [c.phone or "" for c in row.emergency_contacts]
        assert any(all(phone in page for phone in phones) for page in pages), phones
