from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.deps import Jobs, Read, Svc, Write
from api.errors import ERROR_RESPONSES
from api.jobs import Job
from app.ingest import ingest
from app.services import Services
from consilience.errors import DatabaseUnavailableError, InvalidInputError, PayloadTooLargeError
from kg.private import private_dir, write_private_bytes

router = APIRouter(tags=["ingest"], responses=ERROR_RESPONSES)
SUFFIX = {"text": ".txt", "markdown": ".md", "html": ".html"}


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name)[:120].strip("._")
    return base or "upload"


def _store(svc: Services, data: bytes, name: str) -> Path:
    """Keep an upload under its (sanitised) name: a document is identified by its file name,
    so uploading a revised version under the same name replaces the earlier one in the graph
    (its superseded sources go), exactly as editing a file and re-ingesting it does."""
    private_dir(svc.settings.data_dir)
    uploads = private_dir(svc.settings.data_dir / "uploads")
    path = uploads / _safe_name(name)
    tmp = uploads / f".{path.name}.{uuid.uuid4().hex[:8]}.part"
    write_private_bytes(tmp, data)
    tmp.replace(path)  # atomic: a job reading the earlier version sees whole bytes
    return path


def _work(svc: Services, path: Path, run_investigators: bool) -> Callable[[Job], None]:
    def work(job: Job) -> None:
        result = ingest(
            svc, [str(path)], investigate_after=run_investigators, on_note=job.notes.append
        )
        for o in result.outcomes:  # the job shows the upload's name, never the server's folder
            o.path = path.name
        job.outcomes = result.outcomes
        if result.index_warning:
            raise DatabaseUnavailableError(
                "The database went away before the search index was brought up to date.",
                "Start it and upload the file again: finished files are skipped.",
            )
        if result.investigation is not None:
            job.findings = result.investigation.findings
            job.confidences_updated = result.investigation.confidences_updated
            job.findings_withdrawn = result.investigation.findings_withdrawn
            job.rechecked = result.investigation.rechecked

    return work


@router.post(
    "/ingest/file", response_model=Job, status_code=status.HTTP_202_ACCEPTED, dependencies=Write
)
def ingest_file(
    svc: Svc,
    jobs: Jobs,
    file: Annotated[UploadFile, File(description="PDF, HTML, markdown or text")],
    investigate_after: Annotated[
        bool, Form(alias="investigate", description="Run the investigators afterwards")
    ] = True,
) -> Job:
    """Upload a document; it is ingested by a background job (poll `GET /jobs/{id}`).
    Re-uploading the same bytes never duplicates anything."""
    data = file.file.read()
    if not data:
        raise InvalidInputError("The uploaded file is empty.", "Upload a non-empty document.")
    svc.graph()  # fail now (503) rather than inside the job when the database is down
    path = _store(svc, data, file.filename or "upload")
    return jobs.submit("ingest", [path.name], _work(svc, path, investigate_after))


class TextIn(BaseModel):
    title: str = Field(min_length=1, max_length=1000, examples=["Notes on probe robustness"])
    text: str = Field(min_length=1, max_length=5_000_000, description="The document")
    format: Literal["text", "markdown", "html"] = Field(
        default="markdown", description="How to read it"
    )
    investigate: bool = Field(default=True, description="Run the investigators afterwards")


@router.post(
    "/ingest/text", response_model=Job, status_code=status.HTTP_202_ACCEPTED, dependencies=Write
)
def ingest_text(svc: Svc, jobs: Jobs, body: TextIn) -> Job:
    """Ingest a document given as text (its title becomes the first heading)."""
    if not body.text.strip():
        raise InvalidInputError("The text is empty.", "Send the document's text.")
    limit = svc.settings.max_source_chars
    if len(body.text) > limit:  # refuse now, not in the job after the upload is stored
        raise PayloadTooLargeError(
            f"The text has {len(body.text):,} characters; one document may have at most {limit:,}.",
            "Split it into several documents, or raise CONSILIENCE_MAX_SOURCE_CHARS on the server.",
        )
    svc.graph()
    title = " ".join(body.title.split())
    if body.format == "html":
        doc = f"<html><head><title>{_escape(title)}</title></head><body>{body.text}</body></html>"
    else:
        doc = f"# {title}\n\n{body.text}"
    name = _safe_name(title)[:60] + SUFFIX[body.format]
    path = _store(svc, doc.encode("utf-8", "replace"), name)
    return jobs.submit("ingest", [path.name], _work(svc, path, body.investigate))


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@router.get("/jobs/{job_id}", response_model=Job, dependencies=Read)
def job(job_id: Annotated[str, PathParam(max_length=100)], jobs: Jobs) -> Job:
    """Status of an ingest job: queued, running, done or failed (with the error and a hint)."""
    return jobs.get(job_id)
