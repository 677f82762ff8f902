"""Documents as a reader sees them: LibreOffice renders to PDF, poppler reads the PDF back.

One conversion at a time across every test worker (a file lock), with one LibreOffice profile
kept for the session: a fresh profile costs LibreOffice seconds on its first start. Tests that
need these tools skip, saying why, only where the tools are absent; `.ci/run` installs them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_office = pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                                  reason="LibreOffice (soffice) or poppler (pdftotext) is not installed")
_SHARED = Path(tempfile.gettempdir()) / "rectify-tests-office"
MM_PER_POINT = 25.4 / 72


def to_pdf(document: Path, out_dir: Path) -> Path:
    """`document` converted by LibreOffice into `out_dir`; the PDF's path."""
    _SHARED.mkdir(exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(_SHARED / "convert.lock", timeout=600):
        done = subprocess.run(
            [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(_SHARED / 'profile').as_uri()}",
             "--convert-to", "pdf", "--outdir", str(out_dir), str(document)],
            capture_output=True, text=True, timeout=300)
    pdf = out_dir / (document.stem + ".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stderr[-2000:]
    return pdf


def pdf_text(pdf: Path, raw: bool = False) -> str:
    """The PDF's text; pages end in a form feed. `raw` keeps a cell's text together."""
    args = [PDFTOTEXT, *(["-raw"] if raw else ["-layout"]), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


def pdf_pages(pdf: Path, raw: bool = False) -> list[str]:
    pages = pdf_text(pdf, raw).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_size_mm(pdf: Path, page: int = 0) -> tuple[float, float]:
    """Width and height of a page, in millimetres."""
    from pypdf import PdfReader

    box = PdfReader(str(pdf)).pages[page].mediabox
    return float(box.width) * MM_PER_POINT, float(box.height) * MM_PER_POINT
