"""The text of a document to import: UTF-8 text, or the paragraphs of a .docx."""

from __future__ import annotations

from pathlib import Path

from ..errors import RectifyError
from ..loading import read_bytes


def read_document_text(path: Path) -> str:
    """A document to import: UTF-8 text (a BOM tolerated), or the paragraphs of a .docx."""
    if not path.is_file():
        raise RectifyError(f"文件不存在:{path}")
    if path.suffix.lower() == ".docx":
        return _docx_text(path)
    from ..yamlsource import SourceError, decode

    raw = read_bytes(path)
    try:
        return decode(path, raw)
    except SourceError as exc:
        raise RectifyError(f"{path}: {exc.diagnostic.message}") from None


def _docx_text(path: Path) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise RectifyError(f"{path}: 不是有效的 Word(.docx)文件:{exc}") from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs)
