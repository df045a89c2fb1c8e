from __future__ import annotations

import contextlib
import hashlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.deps import Jobs, Read, Svc, Write
from api.errors import ERROR_RESPONSES
from api.jobs import Job, JobRegistry
from app.ingest import IngestResult, follow_up, forget, forget_plan, ingest
from app.investigate import INDEX_NOT_SAVED, INDEX_REBUILT
from app.services import Services
from consilience.errors import (
    ConsilienceError,
    DatabaseUnavailableError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
)
from consilience.llm_spend import not_sent_warning, use_line
from ingest.loaders.markdown import front_matter_end
from ingest.pipeline import IngestOutcome
from kg.private import private_dir, write_private_bytes
from queries.stats import claim_count

router = APIRouter(tags=["ingest"], responses=ERROR_RESPONSES)
SUFFIX = {"text": ".txt", "markdown": ".md", "html": ".html"}
DocName = Annotated[str, PathParam(min_length=1, max_length=300, description="Stored name")]


MAX_NAME = 120  # characters of a stored name before its hash
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,16}")  # a file type the name keeps as it is
STALE_PART_SECONDS = 86_400  # an upload staged longer than this was never ingested


def _safe_name(name: str) -> str:
    """The name an upload is kept under: letters, digits, '.', '_' and '-' only. Where that
    changed the name, a short hash of the name as given (whole: "Cost/benefit" and
    "Risk/benefit" differ) keeps two names apart that clean to the same one ("Risk: low?" and
    "Risk (low)" both became Risk_low.md, and the second upload replaced the first document);
    the same name always gives the same file. The suffix is kept apart from the stem, so a stem
    with no Latin letter or digit keeps it (red-teamed: "Результаты.md" cleaned to "md", stored
    with no suffix, and was read as plain text, its front matter as body text)."""
    given = Path(name).name
    suffix = Path(given).suffix
    if not _SUFFIX.fullmatch(suffix) or suffix == given:
        suffix = ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", given[: len(given) - len(suffix)])
    stem = (stem.lstrip("._") if suffix else stem.strip("._")) or "upload"
    base = stem + suffix
    if base == name and len(base) <= MAX_NAME:
        return base
    if len(base) > MAX_NAME:  # the stem is cut, never the suffix (".pdf" became ".p")
        stem = stem[: MAX_NAME - len(suffix)].rstrip("._") or "upload"
    tag = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem}-{tag}{suffix}"


@dataclass(frozen=True)
class Staged:
    """An upload's bytes, staged under a name of their own until its job runs, and the file
    they then become (`final`, named by the upload)."""

    part: Path
    final: Path


def _stage(svc: Services, data: bytes, name: str, folder: str = "uploads") -> Staged:
    """Keep an upload's bytes until its job runs. A document is identified by its file name,
    so uploading a revised version under the same name replaces the earlier one in the graph
    (its superseded sources go), exactly as editing a file and re-ingesting it does. The bytes
    take that name only when their own job runs: two uploads under one name at once each had
    their job read the second one's bytes, and the first upload's content was never ingested."""
    private_dir(svc.settings.data_dir)
    where = private_dir(svc.settings.data_dir / folder)
    final = where / _safe_name(name)
    for old in where.glob(".*.part"):  # staged by a job that never ran (a server stopped)
        with contextlib.suppress(FileNotFoundError):  # a job may be taking it right now
            if time.time() - old.stat().st_mtime > STALE_PART_SECONDS:
                old.unlink()
    part = where / f".{final.name}.{uuid.uuid4().hex[:8]}.part"
    write_private_bytes(part, data)
    return Staged(part, final)


def _public(text: str | None, staged: Staged) -> str | None:
    """A job's message without the server's folders: the upload's name only."""
    if text is None:
        return None
    folder = staged.final.parent
    return text.replace(str(staged.final), staged.final.name).replace(str(folder), folder.name)


def _settle(staged: Staged, svc: Services) -> IngestResult:
    """Put the staged bytes in place and ingest them (no investigation). Where that fails, the
    folder is left as the graph has it: the earlier version back, or no file."""
    path = staged.final
    kept = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.prev")  # not swept: no .part
    had = ok = False
    try:
        if path.exists():
            path.replace(kept)
            had = True
        staged.part.replace(path)  # atomic; jobs of one name run one at a time (`key`)
        result = ingest(svc, [str(path)], investigate_after=False)
        ok = not result.failed
    except ConsilienceError as exc:
        exc.message = _public(exc.message, staged) or ""
        exc.hint = _public(exc.hint, staged) or ""
        raise
    finally:
        if ok and had:
            kept.unlink(missing_ok=True)
        elif not ok:
            if had:
                kept.replace(path)
            else:
                path.unlink(missing_ok=True)
    return result


def _reachable(svc: Services) -> None:
    """A 503 now when the database does not answer (red-teamed: the graph handle is opened once,
    so a server stopped after that took the request, and its job failed saying the database
    "went away before the search index was brought up to date", though nothing was written)."""
    claim_count(svc.graph())


def _work(svc: Services, staged: Staged, run_investigators: bool) -> Callable[[Job], None]:
    def work(job: Job) -> None:
        result = _settle(staged, svc)
        for o in result.outcomes:  # the job shows the upload's name, never the server's folder
            o.path = staged.final.name
            o.error, o.hint = _public(o.error, staged), _public(o.hint, staged)
        job.outcomes = result.outcomes
        if result.database_gone:
            stored = any(o.status == "ingested" for o in result.outcomes)
            raise DatabaseUnavailableError(
                "The database went away before the search index was brought up to date."
                if stored
                else "The database went away: nothing of this document was stored.",
                "Start it and send the document again: a document already stored is not "
                "stored twice.",
            )
        if result.index_warning:  # the copy on disk not saved: the run goes on
            job.notes.append(INDEX_REBUILT if result.index_saved else INDEX_NOT_SAVED)
        if run_investigators:  # the document is in: a failure from here on keeps its file
            follow_up(svc, result, on_note=job.notes.append, announce=job.notes.append)
        _report(job, result)

    return work


def _report(job: Job, result: IngestResult) -> None:
    """The investigation's counts, on the job."""
    if result.extraction is not None:  # `serve --llm-extractor`: what extraction spent
        job.notes.append(use_line(result.extraction, "extracting claims"))
        if result.extraction.not_sent:
            job.notes.append(f"warning: {not_sent_warning(result.extraction)}")
    if result.investigation is not None:
        job.findings = result.investigation.findings
        job.line_findings = result.investigation.line_findings
        job.confidences_updated = result.investigation.confidences_updated
        job.findings_withdrawn = result.investigation.findings_withdrawn
        job.contradictions_folded = result.investigation.contradictions_folded
        job.rechecked = result.investigation.rechecked
        # what the CLI prints after a run (red-teamed: a job whose Claude questions all failed
        # said "done", no findings, no notes); not `skipped`, the same on every job without a
        # key (the investigators not run for want of one)
        job.left_unchecked = result.investigation.left_unchecked
        job.claude = result.investigation.claude
        job.notes += [f"warning: {w}" for w in result.investigation.warnings]
        if result.investigation.left_unchecked:
            job.notes.append(
                f"{result.investigation.left_unchecked} claims left unchecked (see the "
                "warnings): the next upload with investigate, or `consilience investigate`, "
                "takes them up again."
            )


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
    _reachable(svc)  # fail now (503) rather than inside the job when the database is down
    staged = _stage(svc, data, file.filename or "upload")
    name = staged.final.name
    return jobs.submit(
        "ingest", [name], _work(svc, staged, investigate_after), key=_job_key("uploads", name)
    )


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
    _reachable(svc)
    title = " ".join(body.title.split())
    if body.format == "html":
        doc = f"<html><head><title>{_escape(title)}</title></head><body>{body.text}</body></html>"
    else:  # the heading after any front matter, which is read only at the very start
        # (red-teamed: put before it, the front matter's authors and date were body text)
        cut = front_matter_end(body.text) if body.format == "markdown" else 0
        doc = f"{body.text[:cut]}# {title}\n\n{body.text[cut:]}"
    # kept apart from uploaded files: a text titled "up" replaced the file uploaded as up.md.
    # Named by the whole title (red-teamed: named by its first 60 characters, a second text
    # whose title began the same way replaced the first, silently)
    staged = _stage(svc, doc.encode("utf-8", "replace"), title + SUFFIX[body.format], "texts")
    name = staged.final.name
    return jobs.submit(
        "ingest", [name], _work(svc, staged, body.investigate), key=_job_key("texts", name)
    )


_STORED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # the shape of a name `_safe_name` gives
NOT_STORED_HINT = (
    "Use the name the upload's job gave in `inputs` (GET /sources lists what the graph holds)."
)


def _job_key(folder: str, stored: str) -> str:
    """The key of a stored document's jobs (ingest and forget alike): they run in order."""
    return stored if folder == "uploads" else f"{folder}/{stored}"


def _stored(svc: Services, jobs: JobRegistry, name: str, folder: str) -> Path:
    """The stored file a DELETE names: the name as given where it is a stored name (a long one
    is not cleaned again), else the name its upload was stored under; one with a job of that
    name queued or running counts as stored (the job may be storing it). 404 otherwise."""
    where = svc.settings.data_dir / folder
    given = [name] if _STORED.fullmatch(name) else []
    for stored in dict.fromkeys([*given, _safe_name(name)]):
        path = where / stored
        if jobs.busy(_job_key(folder, stored)) or path.is_file() or _held(svc, path):
            return path
    raise NotFoundError(  # the name as given first (red-teamed: only a name never given)
        f"No document is stored under the name {name!r} (as {folder}/{_safe_name(name)}).",
        NOT_STORED_HINT,
    )


def _held(svc: Services, path: Path) -> bool:
    """Whether the graph holds a document read from this very file."""
    return bool(forget_plan(svc, [str(path)], folders=False).files)


def _forget(svc: Services, jobs: JobRegistry, name: str, folder: str, run: bool) -> Job:
    """A job that forgets a stored document (as `consilience forget`, the one file only) and
    deletes its file, after any job of that name still queued; then, with `run`, brings the
    line-level findings and the confidences up to date."""
    _reachable(svc)  # 503 now, not in the job, when the database is down
    path = _stored(svc, jobs, name, folder)

    def work(job: Job) -> None:
        plan = forget_plan(svc, [str(path)], folders=False)
        if not plan.files and not path.is_file():
            raise NotFoundError(f"No document is stored as {folder}/{path.name}.", NOT_STORED_HINT)
        result = forget(svc, plan, investigate_after=False)
        planned = {f.path for f in plan.files}
        mine = [o for o in result.outcomes if o.path in planned]  # not files read again after
        if any(o.status == "failed" for o in mine):  # the database went away
            raise DatabaseUnavailableError(
                "The database went away before the document was forgotten.",
                "Start it and send the same DELETE again.",
            )
        path.unlink(missing_ok=True)  # the graph first: a failure above keeps the file
        archived = [w for o in mine for w in o.warnings if "verdict" in w]
        job.outcomes = [
            IngestOutcome(
                path=path.name,
                status="removed",
                superseded=sum(o.superseded for o in mine),
                warnings=[
                    "removed from the graph; its stored file is deleted"
                    if plan.files
                    else "its stored file is deleted (the graph held no document from it)",
                    *archived,
                ],
            )
        ]
        if result.database_gone:
            raise DatabaseUnavailableError(
                "The database went away before the search index was brought up to date.",
                "Start it: the document is forgotten, and the next upload brings the index "
                "in line.",
            )
        if result.index_warning:
            job.notes.append(INDEX_REBUILT if result.index_saved else INDEX_NOT_SAVED)
        if run:
            follow_up(svc, result, on_note=job.notes.append, announce=job.notes.append)
            _report(job, result)

    return jobs.submit("forget", [path.name], work, key=_job_key(folder, path.name))


@router.delete(
    "/uploads/{name}", response_model=Job, status_code=status.HTTP_202_ACCEPTED, dependencies=Write
)
def forget_upload(svc: Svc, jobs: Jobs, name: DocName, investigate: bool = True) -> Job:
    """Forget an uploaded document: the graph drops its sources (unless another document has
    the same content), claims and the findings on them (human verdicts are archived), then its
    stored file is deleted; with `investigate`, line-level findings and confidences are brought
    up to date. It runs as a job after any job of that name still queued or running (a DELETE
    right after an upload forgets what the upload stored). `name`: the one its upload job gave
    in `inputs`, or the file name it was uploaded under. 404 when no document is stored so."""
    return _forget(svc, jobs, name, "uploads", investigate)


@router.delete(
    "/texts/{name}", response_model=Job, status_code=status.HTTP_202_ACCEPTED, dependencies=Write
)
def forget_text(svc: Svc, jobs: Jobs, name: DocName, investigate: bool = True) -> Job:
    """Forget a document sent to `/ingest/text`, as `DELETE /uploads/{name}` does; `name`: the
    one its job gave in `inputs` (its title, cleaned and cut to 60 characters, with `.md`,
    `.txt` or `.html`)."""
    return _forget(svc, jobs, name, "texts", investigate)


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@router.get("/jobs/{job_id}", response_model=Job, dependencies=Read)
def job(job_id: Annotated[str, PathParam(max_length=100)], jobs: Jobs) -> Job:
    """Status of an ingest job: queued, running, done or failed (with the error and a hint)."""
    return jobs.get(job_id)
