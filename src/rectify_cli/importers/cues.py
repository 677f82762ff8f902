"""Whether an imported item is still open, read from its outcome text: one table of cues.

A progress report says an item is unfinished in words, not in a status column.
An outcome that states unfinished work — something under way, planned, still
remaining or only being studied — leaves the item open. Words of continuing
effort alone (将继续, 持续推进, 逐步, 长期坚持) describe every finished item too,
and do not. No cue names a particular document's item.
"""

from __future__ import annotations

import re

# cue → what it says; each is a regular expression over one sentence of the outcome
OPEN_CUES = {
    r"正在": "work under way (正在整改、正在办理)",
    r"(?<![模草])拟(?![定订])": "planned, not done (拟结合…)",
    r"下一步": "the next step is still to come",
    r"将于": "to be done at a later date (将于换届期间…)",
    r"剩余部分|剩余的": "a remainder still to do",
    r"尚未|还未|仍未|暂未": "not yet done",
    r"研究(?:有关|相关)?[^。;;]{0,12}问题": "only studied, not resolved (研究有关历史遗留问题)",
    r"仅[^。;;]{0,12}研究": "only studied (仅…研究)",
    r"将[^。;;]{0,20}(?:解决|完成|落实到位)": "to be solved later (将…解决)",
}
_OPEN = [re.compile(cue) for cue in OPEN_CUES]
_SENTENCES = re.compile(r"[^。;;\n]+")


def still_open(outcome: str | None) -> bool:
    """True when a sentence of the outcome states unfinished work."""
    if not outcome:
        return True  # nothing reported: not done
    return any(cue.search(sentence) for sentence in _SENTENCES.findall(outcome) for cue in _OPEN)


# Where a report's closing begins: the paragraph that invites supervision, gives a contact,
# or signs the report. It and everything after it are the closing, never an outcome.
CLOSING_CUES = {
    r"欢迎[^。]{0,30}监督": "invites supervision (欢迎广大干部群众…监督)",
    r"^(?:联系电话|联系方式|联系人|电子邮箱|邮政信箱)": "a contact line",
    r"^特此(?:通报|报告|公告)": "the formal close",
    r"^中共[^,,。]{2,30}(?:党组|党委|委员会|总支部|支部)$": "the signature",
}
_CLOSING = [re.compile(cue) for cue in CLOSING_CUES]


def starts_closing(paragraph: str) -> bool:
    return any(cue.search(paragraph) for cue in _CLOSING)
