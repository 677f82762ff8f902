"""The article's text of a saved web page: one paragraph a line, without menus, scripts and styles."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Page furniture, not the article: skipped with everything inside.
SKIPPED = {"head", "script", "style", "noscript", "template", "nav", "header", "footer", "aside",
           "form", "select", "button", "iframe", "svg", "menu"}
# Elements that end a paragraph.
BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
          "section", "article", "main", "blockquote", "pre", "dd", "dt", "hr", "center", "body"}
SPACE_RE = re.compile(r"\s+")
# A line break of the HTML source inside Chinese text is no space in the text.
BROKEN_LINE_RE = re.compile(r"(?<=[^\x00-\x7f])[ \t]*[\r\n]\s*(?=[^\x00-\x7f])")


def page_text(html: str) -> str:
    parser = _Article()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.paragraphs()) + "\n"


class _Article(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0  # depth inside skipped elements
        self.pieces: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        elif tag in BLOCKS:
            self.pieces.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in BLOCKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pieces.append(SPACE_RE.sub(" ", BROKEN_LINE_RE.sub("", data)))

    def paragraphs(self) -> list[str]:
        lines = (line.strip() for line in "".join(self.pieces).split("\n"))
        return [line for line in lines if line]
