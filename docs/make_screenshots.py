"""Regenerate the pictures the README shows: what rectify produces from the shipped ledger.

    python docs/make_screenshots.py

from the repository's root (or anywhere: paths are taken from this file). It runs this
checkout's code (src/ first on PYTHONPATH, no install needed) on `data/` with
`--today 2022-02-25`, the date of the shipped progress report, so that the pictures change only
when the documents' layout does. It writes, replacing them:

- docs/report-page1.png  page 1 of the Word report (`rectify report -f docx`), through LibreOffice
- docs/taizhang.png      page 1 of the Excel 台账 (`rectify export -f xlsx`), through LibreOffice
- docs/board.png         the HTML board (`rectify export -f html`), Chromium at 1280 × 900

Needs LibreOffice (`soffice`), poppler (`pdftoppm`) and Chromium on the PATH; on Debian or
Ubuntu: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk
poppler-utils chromium. Each picture is rendered at 60-80 dpi and stored with a palette of
at most 256 colours (`shrink`: pdftoppm's pages have fewer, the board's rare anti-aliasing
shades take their nearest) to stay well under 200 KB.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TODAY = "2022-02-25"
CHROMIUM_FLAGS = [  # without the networking flags Chromium waits for the network on a closed one
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


def tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    sys.exit(f"make_screenshots: {' / '.join(names)} is not installed")


def run(*args: str, **env: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
    if done.returncode != 0:
        sys.exit(f"make_screenshots: {' '.join(args)} failed:\n{done.stderr}")


def rectify(*args: str) -> None:
    path = os.pathsep.join([str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])
    run(sys.executable, "-m", "rectify_cli", "--ledger", str(ROOT / "data"), "--today", TODAY, *args, PYTHONPATH=path)


def first_page(document: Path, png: Path, dpi: int, work: Path) -> None:
    """Page 1 of `document` as LibreOffice prints it (A4), as a PNG."""
    profile = (work / "office-profile").as_uri()  # a fresh profile: no user settings leak in
    run(tool("soffice", "libreoffice"), "--headless", "--norestore", f"-env:UserInstallation={profile}",
        "--convert-to", "pdf", "--outdir", str(work), str(document))
    pdf = work / f"{document.stem}.pdf"
    run(tool("pdftoppm"), "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png.with_suffix("")))


def screenshot(page: Path, png: Path, work: Path) -> None:
    run(tool("chromium", "chromium-browser", "google-chrome"), *CHROMIUM_FLAGS,
        f"--user-data-dir={work / 'chromium-profile'}", f"--screenshot={png}", "--window-size=1280,900", page.as_uri())


def _chunks(data: bytes):
    position = 8  # after the signature
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        yield kind, data[position + 8:position + 8 + length]
        position += 12 + length


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _unfilter(line: bytearray, prior: bytearray, kind: int, step: int) -> bytearray:
    """One row of PNG bytes as they were before the encoder's filter `kind`."""
    for i in range(len(line)):
        a = line[i - step] if i >= step else 0
        b, c = prior[i], prior[i - step] if i >= step else 0
        if kind == 4:
            p = a + b - c
            a = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c
        line[i] = (line[i] + (0, a, b, (a + b) // 2, a)[kind]) & 255
    return line


def pixels(data: bytes) -> tuple[int, int, list[list[bytes]]]:
    """Width, height and rows of RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium and pdftoppm write)."""
    header = next(body for kind, body in _chunks(data) if kind == b"IHDR")
    width, height, depth, colour, _method, _filter, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and not interlace, f"an unexpected PNG: {depth=} {colour=} {interlace=}"
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in _chunks(data) if kind == b"IDAT"))
    stride, rows, prior = width * step + 1, [], bytearray(width * step)
    for y in range(height):
        prior = _unfilter(bytearray(raw[y * stride + 1:(y + 1) * stride]), prior, raw[y * stride], step)
        rows.append([bytes(prior[x:x + 3]) for x in range(0, len(prior), step)])
    return width, height, rows


def shrink(png: Path) -> None:
    """Rewrite `png` with a palette of its 256 commonest colours; any other takes its nearest."""
    width, height, rows = pixels(png.read_bytes())
    counts = Counter(pixel for row in rows for pixel in row)
    palette = [colour for colour, _count in counts.most_common(256)]
    index = {colour: number for number, colour in enumerate(palette)}
    for colour in counts.keys() - index.keys():
        index[colour] = min(range(len(palette)), key=lambda n: sum((a - b) ** 2 for a, b in zip(colour, palette[n], strict=True)))
    image = b"".join(b"\0" + bytes(index[pixel] for pixel in row) for row in rows)  # filter 0: none, per row
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
                    + _chunk(b"PLTE", b"".join(palette)) + _chunk(b"IDAT", zlib.compress(image, 9)) + _chunk(b"IEND", b""))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rectify-screenshots-") as folder:
        work = Path(folder)
        report, ledger, board = work / "report.docx", work / "taizhang.xlsx", work / "board.html"
        rectify("report", "-f", "docx", "-o", str(report))
        rectify("export", "-f", "xlsx", "-o", str(ledger))
        rectify("export", "-f", "html", "-o", str(board))
        first_page(report, DOCS / "report-page1.png", 60, work)
        first_page(ledger, DOCS / "taizhang.png", 80, work)  # landscape, small type: a little sharper
        screenshot(board, DOCS / "board.png", work)
    for name in ("report-page1.png", "taizhang.png", "board.png"):
        shrink(DOCS / name)
        print(f"{DOCS / name}: {(DOCS / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
