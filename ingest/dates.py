"""Dates in the forms the corpus uses, including Russian month names."""

from __future__ import annotations

import re

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "янв": 1,
    "фев": 2,
    "мар": 3,
    "апр": 4,
    "мая": 5,
    "май": 5,
    "июн": 6,
    "июл": 7,
    "авг": 8,
    "сен": 9,
    "окт": 10,
    "ноя": 11,
    "дек": 12,
}
RU_DATE_LINE = re.compile(
    r"^(\d{1,2}) ([а-яё]+),? (\d{4})(?: - (\d{1,2}):(\d{2}))?\s*$", re.IGNORECASE
)
EN_DATE = re.compile(r"\b([A-Z][a-z]+) (\d{1,2}),? (\d{4})\b")
MONTH_YEAR = re.compile(r"\b([A-Z][a-z]+) (\d{4})\b")


def _month(word: str) -> int | None:
    w = word.lower()
    if w in MONTHS:
        return MONTHS[w]
    return MONTHS.get(w[:3]) if len(w) >= 3 and w[:3] in MONTHS and not w.isascii() else None


def parse_ru_date_line(line: str) -> str | None:
    """'4 июня, 2026 - 22:23' -> '2026-06-04T22:23' (reader-local time)."""
    m = RU_DATE_LINE.match(line.strip())
    if not m:
        return None
    month = _month(m.group(2))
    if month is None:
        return None
    date = f"{int(m.group(3)):04d}-{month:02d}-{int(m.group(1)):02d}"
    return f"{date}T{int(m.group(4)):02d}:{m.group(5)}" if m.group(4) else date


def find_english_date(text: str) -> str | None:
    m = EN_DATE.search(text)
    if m and m.group(1).lower() in MONTHS:
        return f"{int(m.group(3)):04d}-{MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"
    m = MONTH_YEAR.search(text)
    if m and m.group(1).lower() in MONTHS:
        return f"{int(m.group(2)):04d}-{MONTHS[m.group(1).lower()]:02d}"
    return None
