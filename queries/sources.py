"""Sources: retraction (which recomputes exactly the confidences that depend on it)."""

from __future__ import annotations

from neo4j import Driver

from calibration.updater import ConfidenceUpdater, UpdateReport
from consilience.errors import NotFoundError
from kg import calibration_store


def retract_source(db: Driver, source_id: str, reason: str, *, undo: bool = False) -> UpdateReport:
    """Mark a source retracted (or restore it) and recompute the confidences it touches."""
    if not calibration_store.set_retraction(db, source_id, not undo, reason):
        raise NotFoundError(f"No source {source_id!r}.", "See `consilience sources list`.")
    return ConfidenceUpdater(db).after_retraction(source_id)
