"""What happens when a researcher confirms or dismisses a finding, in one place.

1. The verdict is stored on the finding with the reviewer, the reason and the time, and
   appended to the finding's verdict history (earlier reviewers' verdicts are kept).
2. The confidences of exactly the claims the finding is about are recomputed: a confirmed
   contradiction now opposes, a dismissed one stops counting.
3. Verdicts are the ground truth `consilience calibration fit` learns from (the next fit
   reads them from the graph; nothing else is updated here).
"""

from __future__ import annotations

import logging
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.services import Services
from calibration.updater import ConfidenceUpdater
from consilience.errors import ConsilienceError, InvalidInputError, NotFoundError
from consilience.vocabulary import FindingStatus, ReviewVerdict
from investigators import lines
from investigators.runner import analyse_lines
from kg.graph import Graph
from kg.writers import investigation_store
from queries.findings import get_finding, missing_finding
from queries.models import FindingRow

log = logging.getLogger("consilience.verdicts")
REVIEWER_MAX = 200  # characters; the same limits for the CLI, a file of verdicts and the API
REASON_MAX = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline are text


def check_reviewer(reviewer: str) -> str:
    """The reviewer's name as stored, or InvalidInputError saying what to change."""
    if not reviewer.strip():
        raise InvalidInputError(
            "A verdict needs a reviewer.",
            "Name who reviewed it (`--reviewer NAME` on the command line, `reviewer` in the API).",
        )
    return _check_text("reviewer", reviewer.strip(), REVIEWER_MAX, lines=False)


def check_reason(reason: str) -> str:
    return _check_text("reason", reason, REASON_MAX, lines=True)


def _check_text(what: str, text: str, most: int, *, lines: bool) -> str:
    """Red-teamed: bytes that are not UTF-8 (a terminal in another encoding) failed the CLI
    with a traceback; a 120,000-character reason and a NUL in a name were stored as given.
    Windows line ends (CRLF, CR) are line breaks, stored as LF."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            f"The {what} holds bytes that are not UTF-8 text.",
            "Type it again in a UTF-8 terminal (check LANG / LC_ALL), or write it in a UTF-8 "
            "file of verdicts (`consilience findings verdicts FILE`).",
        ) from None
    bad = _CONTROL.search(text if lines else text.replace("\t", " "))
    if bad or (not lines and "\n" in text):
        raise InvalidInputError(
            f"The {what} holds a control character ({(bad.group() if bad else chr(10))!r}).",
            f"Write the {what} as plain text"
            + (" on one line." if not lines else " (line breaks and tabs are kept)."),
        )
    if len(text) > most:
        raise InvalidInputError(
            f"The {what} is {len(text):,} characters long; at most {most:,} are kept.",
            f"Shorten the {what}" + (" (link to a longer note instead)." if lines else "."),
        )
    return text


def record_verdict(
    svc: Services,
    finding_id: str,
    verdict: ReviewVerdict,
    reviewer: str,
    reason: str,
    *,
    lines_after: bool = True,
) -> FindingRow:
    """Store a human verdict on a finding and update the confidences it bears on.
    `reopened` takes a verdict back: the finding is open again (awaiting review, weighed by
    its score, not learnt from), the step kept in its history. A verdict on a finding the
    line-level findings are derived from recomputes them (unless `lines_after` is False: a
    batch does it once at its end)."""
    reviewer, reason = check_reviewer(reviewer), check_reason(reason)
    finding_id = finding_id.strip()  # pasted with a space or a line end, it is still the id
    graph = svc.graph()
    before = _status_of(graph, finding_id) if lines_after else None
    reopen = verdict is ReviewVerdict.REOPENED
    status = FindingStatus.OPEN.value if reopen else verdict.value
    # (the check that a reopened finding is not open already is in the write itself: two
    # reopens at once add one step, and the second is told so)
    if not investigation_store.set_verdict(graph, finding_id, status, reviewer, reason):
        if reopen:
            get_finding(graph, finding_id)  # NotFoundError when there is no such finding
            raise InvalidInputError(
                f"Finding {finding_id!r} is open: there is no verdict to take back.",
                "Confirm or dismiss it instead (`consilience findings confirm|dismiss ID`).",
            )
        raise missing_finding(graph, finding_id)
    ConfidenceUpdater(graph).after_verdict(finding_id)  # exactly the claims it is about
    row = get_finding(graph, finding_id)
    if lines_after and feeds_lines(row, before):
        refresh_line_findings(svc)
    return row


def _status_of(graph: Graph, finding_id: str) -> str | None:
    """The finding's status before a verdict; None where there is no such finding (the
    verdict's own write then says so, with what became of it)."""
    try:
        return get_finding(graph, finding_id).status
    except NotFoundError:
        return None


def feeds_lines(row: FindingRow, before: str | None) -> bool:
    """Whether a verdict changed what the line-level findings are derived from: a claim
    finding of theirs dismissed, or no longer dismissed (a confirmation changes nothing
    there)."""
    dismissed = FindingStatus.DISMISSED.value
    return row.kind in lines.INPUT_KINDS and (row.status == dismissed) != (before == dismissed)


def refresh_line_findings(svc: Services) -> None:
    """Line-level findings in line with the claim findings' verdicts (red-teamed: a dismissed
    contradiction still made its two lines "disagree" in the report, the review queue and
    Bloom until the next `investigate`), and the confidences the change bears on."""
    graph = svc.graph()
    try:
        analyse_lines(graph, keep_reopened=True)  # the next run withdraws those, and says so
        ConfidenceUpdater(graph).update()  # the claims the withdrawn or new ones touch
    except ConsilienceError:  # the verdict is stored; the next `investigate` does this
        # (review: a database gone here reported a stored verdict as failed, and rerunning
        # it added a second step to its history)
        log.warning("line-level findings not refreshed after a verdict", exc_info=True)


class VerdictItem(BaseModel):
    """One verdict of a batch (a line of a JSONL/CSV file, an item of the API's list)."""

    model_config = ConfigDict(extra="ignore")
    id: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(
        min_length=1, max_length=200, description="Finding id (spaces around it are dropped)"
    )
    verdict: ReviewVerdict = Field(
        description="confirmed, dismissed, or reopened (the earlier verdict taken back)"
    )
    reviewer: str = Field(min_length=1, max_length=REVIEWER_MAX, description="Who decided")
    reason: str = Field(default="", max_length=REASON_MAX, description="Why")


class VerdictOutcome(BaseModel):
    """What happened to one verdict of a batch."""

    id: str = Field(description="Finding id")
    recorded: bool = Field(description="Whether the verdict was stored")
    error: str | None = Field(default=None, description="Why not (e.g. no such finding)")


def record_verdicts(svc: Services, items: list[VerdictItem]) -> list[VerdictOutcome]:
    """Record many verdicts; one that fails (unknown finding) is reported and the rest are
    still recorded. Each goes through `record_verdict`, so each keeps its history and
    updates exactly the confidences it bears on."""
    out: list[VerdictOutcome] = []
    changed = False
    graph = svc.graph()
    for item in items:
        try:
            before = _status_of(graph, item.id.strip())
            row = record_verdict(
                svc, item.id, item.verdict, item.reviewer, item.reason, lines_after=False
            )
            changed = changed or feeds_lines(row, before)
            out.append(VerdictOutcome(id=item.id, recorded=True))
        except (NotFoundError, InvalidInputError) as exc:  # an outage is not a bad item
            out.append(VerdictOutcome(id=item.id, recorded=False, error=exc.message))
    if changed:  # once for the batch (an outage before here: the next run does it)
        refresh_line_findings(svc)
    return out
