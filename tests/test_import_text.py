"""`rectify import text` on documents as they arrive: what it refuses, and the builders of the documents
it reads (hard-wrapped, Word numbering, Word tables, web pages, PDF) that tests/fixtures/import/ is made with."""

from __future__ import annotations

import html
import re
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from rectify_cli.importers.textprep import prepare

from .test_import import import_text, init


def hard_wrapped(text: str, width: int) -> str:
    """Each paragraph cut into lines of `width` characters, as text pasted from a PDF."""
    return "\n".join("\n".join(line[i:i + width] for i in range(0, len(line), width)) or line
                     for line in text.splitlines())


def spaced_digits(text: str) -> str:
    """Spaces between digits and Chinese, as PDF extraction leaves them: 2021 年 8 月."""
    text = re.sub(r"(\d)(?=[\u4e00-\u9fff])", r"\1 ", text)
    return re.sub(r"(?<=[\u4e00-\u9fff])(\d)", r" \1", text)


def test_short_unpunctuated_lines_are_not_joined(tmp_path):
    """A heading followed by an unnumbered item line stays two paragraphs when nothing is wrapped."""
    text = "二、问题整改落实情况\n(一)关于学习的问题\n学习不系统\n整改情况:已完成。\n"
    assert prepare(text) == text


def test_old_word_and_wps_files_are_refused_in_one_line(tmp_path):
    folder = init(tmp_path / "ledger")
    for name in ("反馈意见.doc", "进展.WPS"):
        document = tmp_path / name
        document.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))  # an OLE compound file
        outcome = import_text(folder, document)
        assert outcome.code == 1
        assert outcome.stderr.count("\n") == 1 and "另存为 .docx" in outcome.stderr, outcome.stderr
    assert not list((folder / "issues").glob("*.yaml"))


def pdf_with_text(lines: list[str], per_page: int = 40) -> bytes:
    """A PDF whose text layer holds `lines`: Identity-H codes with a ToUnicode map, no font embedded.

    Neither LibreOffice nor reportlab is installed here; this is the least PDF pypdf reads Chinese from.
    """
    objects: list[bytes] = []
    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)
    highs = sorted({ord(char) >> 8 for line in lines for char in line} or {0})  # only the rows used: fast to read
    ranges = "".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>\n" for h in highs)
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{len(highs)} beginbfrange\n{ranges}endbfrange endcmap CMapName currentdict /CMap defineresource pop end end")
    tounicode = add(f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}\nendstream".encode())
    cid = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo "
              b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor << /Type /FontDescriptor "
              b"/FontName /SimSun /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 880 /Descent -120 "
              b"/CapHeight 700 /StemV 80 >> /DW 1000 >>")
    font = add(f"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
               f"/DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>".encode())
    pages_id = len(objects) + 1
    add(b"")  # placeholder for Pages
    kids = []
    for start in range(0, max(len(lines), 1), per_page):  # one blank page at least
        ops = ["BT /F1 10 Tf 12 TL 40 800 Td"]
        for line in lines[start:start + per_page]:
            ops.append("<" + "".join(f"{ord(c):04X}" for c in line if ord(c) < 0x10000) + "> Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode()
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842] "
                        f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>".encode()))
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


def test_pdf_without_a_text_layer_is_refused_in_one_line(tmp_path):
    folder = init(tmp_path / "ledger")
    document = tmp_path / "scan.pdf"
    document.write_bytes(pdf_with_text([]))  # pages with no text, as a scan without OCR
    outcome = import_text(folder, document)
    assert outcome.code == 1
    assert outcome.stderr.count("\n") == 1 and "没有文字层" in outcome.stderr, outcome.stderr
    assert not list((folder / "issues").glob("*.yaml"))


# Word's automatic numbering: (pattern of the reference's numbering, the level's format and text).
WORD_LISTS = [
    (r"^[一二三四五六七八九十]+、", "chineseCounting", "%1、"),
    (r"^\([一二三四五六七八九十]+\)", "chineseCounting", "（%1）"),
    (r"^\d+[.、](?!\d)", "decimal", "%1."),
    (r"^\(\d+\)", "decimal", "（%1）"),
]


def numbered_word_document(path: Path, text: str) -> None:
    """The text as a .docx whose headings carry no typed number: Word's list numbering shows it.

    Parts and problems are one list each; aspects restart in each part and items in each problem, each
    restart a new list as Word makes it.
    """
    document = docx.Document()
    numbering = document.part.numbering_part.element
    for index, (_, number_format, level_text) in enumerate(WORD_LISTS, start=1):
        numbering.append(parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{100 + index}"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{number_format}"/><w:lvlText w:val="{level_text}"/></w:lvl></w:abstractNum>'))
    previous_kind = None
    lists = {0: 901, 2: 903}  # the current list (numId) of each kind; these two never restart
    for num_id in lists.values():
        _add_num(numbering, num_id, num_id - 900)
    for line in text.splitlines():
        kind = next((k for k, (pattern, _, _) in enumerate(WORD_LISTS) if re.match(pattern, line)), None)
        if kind is None:
            document.add_paragraph(line)
            continue
        if kind in (1, 3) and (kind not in lists or restarts(kind, previous_kind)):
            lists[kind] = 1000 + len(numbering.findall(qn("w:num")))
            _add_num(numbering, lists[kind], kind + 1)
        paragraph = document.add_paragraph(re.sub(WORD_LISTS[kind][0], "", line))
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{lists[kind]}"/></w:numPr>'))
        previous_kind = kind
    document.save(str(path))


def restarts(kind: int, previous_kind: int | None) -> bool:
    """A new aspect list after a part heading; a new item list after a problem heading."""
    return previous_kind == kind - 1


def _add_num(numbering, num_id: int, abstract: int) -> None:
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{100 + abstract}"/></w:num>'))


def word_table_document(path: Path, text: str) -> None:
    """The text as a .docx with its first two lines as paragraphs and the rest, the outline, in the
    first column of a two-column table."""
    lines = text.splitlines()
    document = docx.Document()
    for line in lines[:2]:
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=2)
    for line in lines[2:]:
        left, right = table.add_row().cells
        left.text, right.text = line, ""  # the outline in the first column, an empty second
    document.save(str(path))


def saved_web_page(text: str) -> str:
    """The text as the article of a saved web page, between menus, styles, a script and a footer."""
    paragraphs = "\n".join(f"<p>\n  {html.escape(line)}</p>" for line in text.splitlines())
    return ("<!DOCTYPE html><html><head><title>泾县人民政府</title><style>p {margin: 0}</style></head><body>"
            "<header><div>首页</div></header><nav><ul><li>1.首页</li><li>2.政务公开</li></ul></nav>"
            f"<div class=\"article\">{paragraphs}</div>"
            "<script>var 整改成效 = '1.关于“x”的问题';</script><footer><p>版权所有 © 2022</p></footer></body></html>")
