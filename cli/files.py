"""The files a command reads or writes, checked before any work: a folder where a file is
wanted, a folder that does not exist, bytes that are not UTF-8 text, or a write that fails are
a one-line error with what to do (exit 2), never a traceback after the work is done."""

from __future__ import annotations

import os
from pathlib import Path

from cli.support import fail
from consilience.errors import InvalidInputError


def input_text(path: Path, what: str = "a UTF-8 text file") -> str:
    """The text of a file the user gave."""
    if path.is_dir():
        fail(InvalidInputError(f"{path} is a folder.", f"Give {what}."))
    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(InvalidInputError(f"{path} could not be read: {exc.strerror}.", f"Give {what}."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(
            InvalidInputError(
                f"{path} is not UTF-8 text (byte {exc.start} is not).",
                f"Give {what}; save it as UTF-8.",
            )
        )


def input_file(path: Path, what: str = "a file") -> Path:
    """A file the user gave, which exists and is not a folder (it is read afterwards)."""
    if path.is_dir():
        fail(InvalidInputError(f"{path} is a folder.", f"Give {what}."))
    if not path.is_file():
        fail(InvalidInputError(f"{path}: no such file.", f"Give {what}."))
    return path


def output_file(path: Path, example: str = "out.jsonl") -> Path:
    """A file to write, whose folder exists and is writable, and which is not a folder."""
    if path.is_dir():
        fail(InvalidInputError(f"{path} is a folder.", f"Give a file name, e.g. {path / example}."))
    folder = path.parent
    if not folder.is_dir():
        fail(
            InvalidInputError(
                f"The folder {folder} does not exist.",
                f"Create it first (mkdir -p {folder}) or write somewhere else.",
            )
        )
    if not os.access(folder, os.W_OK):
        fail(InvalidInputError(f"The folder {folder} is not writable.", "Write somewhere else."))
    return path


def output_folder(path: Path) -> Path:
    """A folder to write a report into, made when missing."""
    if path.exists() and not path.is_dir():
        fail(
            InvalidInputError(
                f"{path} exists and is not a folder.", "Give a folder for the report's files."
            )
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(
            InvalidInputError(
                f"The folder {path} could not be made: {exc.strerror}.",
                "Give a folder you can write to.",
            )
        )
    if not os.access(path, os.W_OK):
        fail(InvalidInputError(f"The folder {path} is not writable.", "Write somewhere else."))
    return path


def write_text(path: Path, text: str) -> None:
    """Write a file checked by `output_file` (a disk that fills up is still an error)."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(
            InvalidInputError(
                f"{path} could not be written: {exc.strerror}.",
                "Check the disk and the path, then run the command again.",
            )
        )
