"""Source workflows: retract (or restore) a source, declare that one summarises another."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.services import Services
from calibration.updater import ConfidenceUpdater, UpdateReport
from consilience.errors import InvalidInputError, NotFoundError
from kg.writers import calibration_store, store


def retract_source(
    svc: Services, source_id: str, reason: str, *, undo: bool = False
) -> UpdateReport:
    """Mark a source retracted (or restore it) and recompute exactly the confidences it
    touches: its evidence stops (or starts again) counting."""
    graph, source_id = svc.graph(), source_id.strip()  # an id pasted with a space is the id
    was = calibration_store.set_retraction(graph, source_id, not undo, reason)
    if was is None:
        raise NotFoundError(
            f"No source {source_id!r}.",
            "`consilience sources list` (or GET /sources) lists their ids.",
        )
    if undo and not was:
        raise InvalidInputError(
            f"Source {source_id!r} is not retracted: there is nothing to restore.",
            "Sources are listed with whether each is retracted (`consilience sources list`).",
        )
    return ConfidenceUpdater(graph).after_retraction(source_id)


class SummaryLink(BaseModel):
    """What a summary declaration (or its undoing) did."""

    model_config = ConfigDict(extra="forbid")
    summary_id: str = Field(description="The summary source")
    source_id: str = Field(description="The source it summarises (or, undone, does not)")
    linked: bool = Field(description="Whether the link is now recorded")
    removed: str | None = Field(
        default=None,
        description="Undone: how the removed link had been made (user, detected-from-title, "
        "detected-from-overlap); None when there was no link (the pair is remembered anyway, "
        "so detection never makes it)",
    )
    recomputed: UpdateReport = Field(description="The confidences the change bore on")


def declare_summary(
    svc: Services, summary_id: str, source_id: str, *, undo: bool = False
) -> SummaryLink:
    """Record that one source summarises another (they are then never independent), or
    with `undo` that it does not: the link goes, however it was made, and neither detection
    (by title or by overlap) makes it again until a user declares it."""
    summary_id, source_id = summary_id.strip(), source_id.strip()  # pasted with spaces
    if not (summary_id and source_id):
        raise InvalidInputError(
            "A source id is empty.", "Give the summary's id, then its source's id."
        )
    if summary_id == source_id:
        raise InvalidInputError(
            "A source cannot summarise itself.", "Give the summary's id, then its source's id."
        )
    graph = svc.graph()
    if undo:
        was = store.undeclare_summary(graph, summary_id, source_id)
        if was is None:
            raise _missing()
        if was == "reverse":
            raise InvalidInputError(
                f"{summary_id} is not recorded as a summary of {source_id}; {source_id} is "
                f"recorded as a summary of {summary_id}. Nothing was changed.",
                "Give the summary's id first: "
                f"`consilience sources declare-summary {source_id} {summary_id} --undo`.",
            )
        report = ConfidenceUpdater(graph).after_summary_link(
            summary_id, source_id, f"{summary_id} declared no summary of {source_id}"
        )
        return SummaryLink(
            summary_id=summary_id,
            source_id=source_id,
            linked=False,
            removed=was or None,
            recomputed=report,
        )
    made = store.declare_summary(graph, summary_id, source_id)
    if made == "missing":
        raise _missing()
    if made == "reverse":  # red-teamed: accepted, each then summarised the other
        raise InvalidInputError(
            f"{source_id} is recorded as a summary of {summary_id}; a source cannot also be "
            "summarised by its own summary.",
            "Give the summary's id first, then its source's id (or undo the other link first: "
            f"`consilience sources declare-summary {source_id} {summary_id} --undo`).",
        )
    # what the link changes: a contradiction from the summary no longer counts against the
    # source's claims (red-teamed: nothing changed until the next full investigation)
    report = ConfidenceUpdater(graph).after_summary_link(
        summary_id, source_id, f"{summary_id} declared a summary of {source_id}"
    )
    return SummaryLink(summary_id=summary_id, source_id=source_id, linked=True, recomputed=report)


def _missing() -> NotFoundError:
    return NotFoundError(
        "No such source id (one or both).",
        "`consilience sources list` (or GET /sources) lists their ids.",
    )
