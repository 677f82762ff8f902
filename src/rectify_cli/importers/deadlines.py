"""A deadline as people write it in a 台账 cell or a plan's 整改时限 line.

A date; `2022年3月底前` (that month's end); `3月份` (the first such month end on or after
the feedback date); or a kind of rectification (立行立改, 长期坚持) instead of a date.
"""

from __future__ import annotations

import datetime as dt
import re

from .. import fields
from ..vocab import KIND_SYNONYMS, Kind, parse_date, parse_enum

MONTH = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:份|底|末)?(?:前|之前|以前)?$")


class UnreadableDeadline(ValueError):
    """The text is no deadline; its message says why, in Chinese."""


def read_deadline(text: str, feedback_date: dt.date | None) -> dt.date | Kind:
    kind = parse_enum(Kind, KIND_SYNONYMS, text)
    if isinstance(kind, Kind):
        return kind
    month = MONTH.match(re.sub(r"\s+", "", text).rstrip("。"))
    if month is None or not 1 <= int(month[2]) <= 12:
        return _date(text)
    number = int(month[2])
    if month[1]:
        return month_end(int(month[1]), number)
    if feedback_date is None:
        raise UnreadableDeadline(f"{fields.ITEM.deadline.label} {text!r} 没有年份,台账也没有"
                                 f"{fields.LEDGER.feedback_date.label},未导入该值")
    end = month_end(feedback_date.year, number)
    return end if end >= feedback_date else month_end(feedback_date.year + 1, number)


def _date(text: str) -> dt.date:
    try:
        return parse_date(text.strip().rstrip("。"))
    except ValueError:
        raise UnreadableDeadline(f"{fields.ITEM.deadline.label} 的值 {text!r} 不是日期,未导入该值") from None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
