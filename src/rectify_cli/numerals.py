"""Chinese counting numerals, as headings and aspect keys use them: 一 … 十, 十一, 二十三 … 九十九."""

from __future__ import annotations

NUMERALS = "一二三四五六七八九十"
_DIGITS = {char: value for value, char in enumerate("零一二三四五六七八九")} | {"〇": 0}


def chinese_numeral(number: int) -> str:
    """1 → 一, 17 → 十七, 23 → 二十三; outside 1–99, the Arabic digits."""
    if not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[units - 1] if units else "")


def chinese_number(text: str) -> int | None:
    """一 → 1, 十七 → 17, 二十三 → 23, 一百零二 → 102; None if it is no numeral."""
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char in "十百":
            total += (current or 1) * (10 if char == "十" else 100)
            current = 0
        else:
            return None
    return total + current or None
