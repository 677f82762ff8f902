"""The results a report states in words, as ledger.yaml's `figures`: people held to account
by kind, rules made and revised, funds recovered."""

from __future__ import annotations

import re

from .. import fields, vocab

_WORDS = sorted((word for words in vocab.PENALTY_SYNONYMS.values() for word in words), key=len, reverse=True)
_KIND = "|".join(map(re.escape, _WORDS))
# 诫勉2人 / 给予提醒谈话、批评教育等15人 / 政务处分0人
PENALTY_RE = re.compile(rf"((?:{_KIND})(?:[、和及](?:{_KIND}))*)等?\s*(\d+)\s*人")
NEW_RULES_RE = re.compile(r"(?:建立|新建|制定|出台)(?:健全|了)?(?:制度)?\s*(\d+)\s*项")
# not the total of 制定及修改完善制度9项, which does not say how many were revised
REVISED_RULES_RE = re.compile(r"(?<![及改订善])(?:修订|修改|完善)(?:完善|修订|了)*(?:制度)?\s*(\d+)\s*项")
FUNDS_RE = re.compile(r"(?:追缴|收回|清退|挽回)[^,,。;;\d]{0,8}?(\d+(?:\.\d+)?)\s*(万元|元)")

FIGURES, COUNTS, ENTRY = fields.FIGURES, fields.RULE_COUNTS, fields.ACCOUNTABILITY


def figures_in(text: str) -> dict:
    """The figures the text states; an empty dict when it states none."""
    found = {}
    accountability = _accountability(text)
    if accountability:
        found[FIGURES.accountability.key] = accountability
    new, revised = NEW_RULES_RE.search(text), REVISED_RULES_RE.search(text)
    if new or revised:
        found[FIGURES.institutions.key] = {COUNTS.new.key: int(new[1]) if new else 0,
                                           COUNTS.revised.key: int(revised[1]) if revised else 0}
    funds = FUNDS_RE.search(text)
    if funds:
        found[FIGURES.funds_recovered.key] = vocab.amount_number(vocab.parse_amount(funds[1] + funds[2]))
    return found


def _accountability(text: str) -> list[dict]:
    entries = []
    for match in PENALTY_RE.finditer(text):
        kinds = [_canonical(word) for word in re.split(r"[、和及]", match[1])]
        kind = kinds[0] if len(kinds) == 1 else kinds
        entries.append({ENTRY.kind.key: kind, ENTRY.people.key: int(match[2])})
    return entries


def _canonical(word: str) -> str:
    """The Chinese label of the kind a word names (谈话提醒 → 提醒谈话)."""
    kind = vocab.parse_enum(vocab.Penalty, vocab.PENALTY_SYNONYMS, word)
    return vocab.PENALTY_LABELS[kind]
