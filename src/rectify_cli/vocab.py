"""The ledger's vocabulary: enumerations, their Chinese words, and value parsing.

No pydantic here: the fast read path (list, show, summary) imports only this.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Kind(StrEnum):
    IMMEDIATE = "immediate"
    TIME_BOUND = "time_bound"
    LONG_TERM = "long_term"


class Action(StrEnum):
    PROGRESS = "progress"
    CLOSE = "close"
    REOPEN = "reopen"


class CountBy(StrEnum):
    """The level the official counts go by: specific items, or whole problems."""

    ITEM = "item"
    PROBLEM = "problem"


class RuleAction(StrEnum):
    """What became of a rule (建章立制): made new, or revised."""

    NEW = "new"
    REVISED = "revised"


class Penalty(StrEnum):
    """A form of holding people to account (问责), in the order reports list them."""

    PARTY_DISCIPLINE = "party_discipline"
    GOVERNMENT_SANCTION = "government_sanction"
    ORGANISATIONAL = "organisational"
    ADMONITION = "admonition"
    ORDERED_REVIEW = "ordered_review"
    CRITICISM = "criticism"
    REMINDER_TALK = "reminder_talk"
    CRITICISM_HELP = "criticism_help"
    REFERRED = "referred"


STATUS_LABELS = {Status.OPEN: "未销号", Status.CLOSED: "已销号"}
KIND_LABELS = {
    Kind.IMMEDIATE: "立行立改",
    Kind.TIME_BOUND: "限期整改",
    Kind.LONG_TERM: "长期坚持",
}
ACTION_LABELS = {Action.PROGRESS: "进展", Action.CLOSE: "销号", Action.REOPEN: "重新打开"}
COUNT_BY_LABELS = {CountBy.ITEM: "具体问题", CountBy.PROBLEM: "问题"}
COUNT_BY_UNITS = {CountBy.ITEM: "项", CountBy.PROBLEM: "个问题"}  # after a number: 3 项, 3 个问题
PENALTY_LABELS = {
    Penalty.PARTY_DISCIPLINE: "党纪处分",
    Penalty.GOVERNMENT_SANCTION: "政务处分",
    Penalty.ORGANISATIONAL: "组织处理",
    Penalty.ADMONITION: "诫勉",
    Penalty.ORDERED_REVIEW: "责令检查",
    Penalty.CRITICISM: "批评教育",
    Penalty.REMINDER_TALK: "提醒谈话",
    Penalty.CRITICISM_HELP: "批评帮助",
    Penalty.REFERRED: "交由纪委调查",
}
RULE_ACTION_LABELS = {RuleAction.NEW: "制定", RuleAction.REVISED: "修订"}

# Words a clerk may write instead of the canonical token.
STATUS_SYNONYMS = {
    Status.OPEN: ["未销号", "未完成", "正在整改", "整改中", "推进中", "进行中", "未整改", "未办结", "开放"],
    Status.CLOSED: ["已销号", "已完成", "完成", "已完成整改", "已整改", "整改完成", "已办结", "销号", "关闭"],
}
# What a 台账's status column may say besides the status words: the answer to 是否完成.
# Only in such a column: elsewhere 是 and 否 are no status.
STATUS_COLUMN_WORDS = {Status.OPEN: ["否", "逾期"], Status.CLOSED: ["是"]}
KIND_SYNONYMS = {
    Kind.IMMEDIATE: ["立行立改", "立即整改", "即知即改"],
    Kind.TIME_BOUND: ["限期整改", "限时整改"],
    Kind.LONG_TERM: ["长期坚持", "长期整改", "持续整改"],
}
ACTION_SYNONYMS = {
    Action.PROGRESS: ["进展", "整改进展"],
    Action.CLOSE: ["销号", "关闭"],
    Action.REOPEN: ["重新打开", "回头看", "重开"],
}
COUNT_BY_SYNONYMS = {
    CountBy.ITEM: ["具体问题", "按具体问题", "事项", "按事项"],
    CountBy.PROBLEM: ["问题", "按问题"],
}

RULE_ACTION_SYNONYMS = {
    RuleAction.NEW: ["制定", "新建", "建立", "新制定", "出台"],
    RuleAction.REVISED: ["修订", "修改", "完善", "修改完善", "修订完善", "完善修订"],
}

PENALTY_SYNONYMS = {
    Penalty.PARTY_DISCIPLINE: ["党纪处分", "党纪处理", "党内处分"],
    Penalty.GOVERNMENT_SANCTION: ["政务处分", "政纪处分"],
    Penalty.ORGANISATIONAL: ["组织处理"],
    Penalty.ADMONITION: ["诫勉", "诫勉谈话", "诫勉处理"],
    Penalty.ORDERED_REVIEW: ["责令检查", "责令作出检查", "责令书面检查", "书面检查"],
    Penalty.CRITICISM: ["批评教育"],
    Penalty.REMINDER_TALK: ["提醒谈话", "谈话提醒", "约谈提醒", "提醒约谈"],
    Penalty.CRITICISM_HELP: ["批评帮助"],
    Penalty.REFERRED: ["交由纪委调查", "移交纪委调查", "移交纪委", "移送纪委", "交纪委调查", "移交纪检监察机关"],
}

# Each enumeration with its Chinese labels and the words accepted for it.
VOCABULARY = {
    Status: (STATUS_LABELS, STATUS_SYNONYMS),
    Kind: (KIND_LABELS, KIND_SYNONYMS),
    Action: (ACTION_LABELS, ACTION_SYNONYMS),
    CountBy: (COUNT_BY_LABELS, COUNT_BY_SYNONYMS),
    RuleAction: (RULE_ACTION_LABELS, RULE_ACTION_SYNONYMS),
    Penalty: (PENALTY_LABELS, PENALTY_SYNONYMS),
}

DATE_PATTERN = r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?$"
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_LIST_SPLIT_RE = re.compile(r"[、,，;；]")


def enum_words(synonyms: dict) -> list[str]:
    """Every word accepted for an enumeration: canonical tokens first."""
    words = [str(token) for token in synonyms]
    for token_words in synonyms.values():
        words.extend(token_words)
    return words


def parse_enum(enum_type: type[StrEnum], synonyms: dict, value: Any) -> Any:
    """Map a canonical token or a Chinese synonym to the enum member."""
    if not isinstance(value, str):
        return value
    for member in enum_type:
        if value == member.value or value in synonyms.get(member, []):
            return member
    return value


def parse_date(value: Any) -> dt.date:
    """Accept a YAML date, or text such as 2022-02-23, 2022/2/23 or 2022年2月23日."""
    if isinstance(value, dt.datetime):
        raise ValueError("应为日期 YYYY-MM-DD,不带时间")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _DATE_RE.match(value.strip())
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"日期 {value.strip()} 不存在") from None
    raise ValueError("应为日期,格式 YYYY-MM-DD")


def parse_text_list(value: Any) -> Any:
    """A list of names may be written as one string: 环卫所、执法大队."""
    if isinstance(value, str):
        return [part.strip() for part in _LIST_SPLIT_RE.split(value) if part.strip()]
    return value


AMOUNT_PATTERN = r"^\d+(\.\d+)?\s*(万元|万|元)?$"
AMOUNT_SCHEMA = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": AMOUNT_PATTERN}]}
_AMOUNT_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(万元|万|元)?$")
_FEN = Decimal("0.01")
_WAN = Decimal(10000)
AMOUNT_HELP = "应为金额(元,至多两位小数),如 34600、34600.00、3.46万元、3.46万"


def parse_amount(value: Any) -> Decimal:
    """An amount in yuan, to the fen: 34600, 34600.00, '3.46万元' or '3.46万' (万 is ten thousand)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(AMOUNT_HELP)
    if isinstance(value, str):
        match = _AMOUNT_RE.match(value.strip().replace(",", ""))
        if match is None:
            raise ValueError(AMOUNT_HELP)
        amount = Decimal(match[1]) * (_WAN if match[2] and match[2].startswith("万") else 1)
    else:
        try:
            amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise ValueError(AMOUNT_HELP) from None
    try:  # quantize fails on more digits than a Decimal holds
        fen = amount.quantize(_FEN) if amount.is_finite() else None
    except InvalidOperation:
        fen = None
    if fen is None or fen != amount or amount < 0:
        raise ValueError(AMOUNT_HELP)
    return fen


def amount_number(amount: Decimal) -> int | float:
    """An amount as a JSON or YAML number: 34600, or 34600.5."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def yuan_text(amount: Decimal) -> str:
    """An amount in a table: 34600, or 34600.50."""
    return str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"


def wan_text(amount: Decimal) -> str:
    """An amount in a sentence, in 万元 to four decimals at most, trailing zeros dropped: 3.46万元."""
    wan = (amount / _WAN).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{wan.normalize():f}万元"


PLACEHOLDER = "(待填写)"
