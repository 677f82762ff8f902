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


OLD_WORD = {".doc": "Word 97-2003(.doc)", ".wps": "WPS(.wps)"}


def _read_raw(path: Path) -> Document:
    suffix = path.suffix.lower()
    if suffix in OLD_WORD:
        raise RectifyError(f"{path}: 无法读取{OLD_WORD[suffix]}文件,请在 Word 或 WPS 中另存为 .docx 后再导入")
    if suffix == ".docx":
        return Document(_docx_text(path))
    if suffix == ".pdf":
        return Document(_pdf_text(path))
    if suffix in (".html", ".htm"):
        from .webpage import page_text

        document = _plain_text(path)
        return Document(page_text(document.text), document.notes)
    return _plain_text(path)


def _plain_text(path: Path) -> Document:
    """UTF-8 (a BOM tolerated), else GB18030 — what Windows Notepad saves as ANSI — with a note."""
    from ..yamlsource import SourceError, decode

    raw = read_bytes(path)
    try:
        return Document(decode(path, raw))
    except SourceError as exc:
        text = _gb18030(raw)
        if text is None:
            raise RectifyError(f"{path}: {exc.diagnostic.message}") from None
    return Document(text, ["文件是 GBK/GB18030 编码(不是 UTF-8),已按 GB18030 转换读取"])


def _gb18030(raw: bytes) -> str | None:
    if b"\x00" in raw:  # UTF-16 or binary: GB18030 would decode it into nonsense
        return None
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _docx_text(path: Path) -> str:
    """Paragraphs in document order, those in table cells included, each with the label Word numbers it with."""
    from docx import Document as WordDocument
    from docx.opc.exceptions import PackageNotFoundError

    from .wordnumbering import paragraph_lines

    try:
        document = WordDocument(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise RectifyError(f"{path}: 不是有效的 Word(.docx)文件:{exc}") from None
    return "\n".join(paragraph_lines(document))


def _pdf_text(path: Path) -> str:
    """The PDF's text layer; a scanned PDF (images only) is refused, as nothing could be read from it."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its repair notes are not the user's concern

    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise RectifyError(f"{path}: 不是有效的 PDF 文件:{exc}") from None
    text = "\n".join(page.rstrip("\n") for page in pages)  # no blank line at a page break: paragraphs run on
    if not text.strip():
        raise RectifyError(f"{path}: PDF 中没有文字层(可能是扫描件),无法导入;请用有文字的版本或 .docx")
    return text
