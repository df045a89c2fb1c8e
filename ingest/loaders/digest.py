"""RSS reader pages holding many posts (title / date line / body / 'Discuss')."""

from __future__ import annotations

from ingest.dates import parse_ru_date_line
from ingest.document import ParsedDocument
from ingest.loaders.text import text_blocks


def date_line_indices(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if parse_ru_date_line(line)]


def is_digest(text: str) -> bool:
    return len(date_line_indices(text.split("\n")[:20000])) >= 2


def _title_above(lines: list[str], i: int) -> int | None:
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j if j >= 0 else None


def split_digest(text: str) -> list[ParsedDocument]:
    """One ParsedDocument per post, titled and dated from the feed."""
    lines = text.replace("\r\n", "\n").split("\n")
    dates = date_line_indices(lines)
    titles = [_title_above(lines, i) for i in dates]
    docs: list[ParsedDocument] = []
    for n, (d, t) in enumerate(zip(dates, titles, strict=True)):
        if t is None:
            continue
        end = titles[n + 1] if n + 1 < len(titles) and titles[n + 1] is not None else len(lines)
        body = lines[d + 1 : end]
        # the feed's own chrome after each post
        while body and body[-1].strip() in ("", "Discuss", "Страницы"):
            body.pop()
        title = " ".join(lines[t].replace("\u00a0", " ").split())
        docs.append(
            ParsedDocument(
                title=title,
                blocks=text_blocks("\n".join(body), wrapped=False),
                date=parse_ru_date_line(lines[d]),
                flags=["from-digest"],
            )
        )
    return docs
