"""Where training writes by default: under the project's data folder (CONSILIENCE_DATA_DIR,
`.consilience` in the current folder unless set), never a path relative to wherever the
command runs; the shipped model's folder is `investigators.nli.model.MODEL_DIR`."""

from __future__ import annotations

from pathlib import Path

from consilience.settings import load_settings


def training_dir() -> Path:
    """<data_dir>/training: checkpoints (`train`), recovered models (`recover`)."""
    return load_settings().data_dir / "training"
