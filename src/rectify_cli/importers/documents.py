"""The text of a document to import, as the outline reader needs it, and notes on how it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RectifyError
from ..loading import read_bytes
from . import textprep


@dataclass
class Document:
    text: str
    notes: list[str] = field(default_factory=list)  # how it was read, for the user (e.g. the encoding)


def read_document(path: Path) -> Document:
    """A document to import as prepared text: hard wraps rejoined, digit–Chinese spaces removed."""
    if not path.is_file():
        raise RectifyError(f"文件不存在:{path}")
    document = _read_raw(path)
    document.text = textprep.prepare(document.text)
    return document


def _read_raw(path: Path) -> Document:
    if path.suffix.lower() == ".docx":
        return Document(_docx_text(path))
    return _plain_text(path)


def _plain_text(path: Path) -> Document:
    from ..yamlsource import SourceError, decode

    raw = read_bytes(path)
    try:
        return Document(decode(path, raw))
    except SourceError as exc:
        raise RectifyError(f"{path}: {exc.diagnostic.message}") from None


def _docx_text(path: Path) -> str:
    from docx import Document as WordDocument
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = WordDocument(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise RectifyError(f"{path}: 不是有效的 Word(.docx)文件:{exc}") from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs)
