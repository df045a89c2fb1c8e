"""Source workflows: retract (or restore) a source, declare that one summarises another."""

from __future__ import annotations

from app.services import Services
from calibration.updater import ConfidenceUpdater, UpdateReport
from consilience.errors import InvalidInputError, NotFoundError
from kg.writers import calibration_store, store


def retract_source(
    svc: Services, source_id: str, reason: str, *, undo: bool = False
) -> UpdateReport:
    """Mark a source retracted (or restore it) and recompute exactly the confidences it
    touches: its evidence stops (or starts again) counting."""
    graph = svc.graph()
    was = calibration_store.set_retraction(graph, source_id, not undo, reason)
    if was is None:
        raise NotFoundError(f"No source {source_id!r}.", "See `consilience sources list`.")
    if undo and not was:
        raise InvalidInputError(
            f"Source {source_id!r} is not retracted: there is nothing to restore.",
            "Sources are listed with whether each is retracted (`consilience sources list`).",
        )
    return ConfidenceUpdater(graph).after_retraction(source_id)


def declare_summary(svc: Services, summary_id: str, source_id: str) -> None:
    """Record that one source summarises another (they are then never independent)."""
    if summary_id == source_id:
        raise InvalidInputError(
            "A source cannot summarise itself.", "Give the summary's id, then its source's id."
        )
    made = store.declare_summary(svc.graph(), summary_id, source_id)
    if made == "missing":
        raise NotFoundError(
            "No such source id (one or both).", "See `consilience sources list` for ids."
        )
    if made == "reverse":  # red-teamed: accepted, each then summarised the other
        raise InvalidInputError(
            f"{source_id} is recorded as a summary of {summary_id}; a source cannot also be "
            "summarised by its own summary.",
            "Give the summary's id first, then its source's id.",
        )
    # what the link changes: a contradiction from the summary no longer counts against the
    # source's claims (red-teamed: nothing changed until the next full investigation)
    ConfidenceUpdater(svc.graph()).after_summary_link(summary_id, source_id)
