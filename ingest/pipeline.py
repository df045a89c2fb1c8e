"""File -> documents -> claims -> embeddings -> graph, one transaction per document."""

from __future__ import annotations

import glob
import logging
import os
import shlex
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from consilience.errors import (
    ConsilienceError,
    DatabaseUnavailableError,
    IngestError,
    UnsupportedInputError,
)
from ingest.claims.base import ClaimExtractor, outdated, tag
from ingest.claims.llm import LLMExtractor
from ingest.dependencies import cited_works, datasets, methods
from ingest.document import ParsedDocument, assemble
from ingest.loaders import load_file
from ingest.loaders.decode import ENCODING_REPAIRED
from ingest.loaders.markdown import BAD_DATE_FLAG
from ingest.metadata import infer_metadata
from kg import ids
from kg.aspects import abbreviations, aspects
from kg.embedding import Embedder
from kg.graph import Graph
from kg.models import (
    ClaimRecord,
    DocumentRecord,
    FileRecord,
    PassageRecord,
    SourceKind,
    SourceRecord,
)
from kg.writers import store

log = logging.getLogger("consilience.ingest")


class IngestOutcome(BaseModel):
    """What happened to one input file."""

    path: str = Field(description="The file as given")
    status: Literal["ingested", "unchanged", "failed", "refused", "removed"] = Field(
        description="Result"
    )
    format: str | None = Field(default=None, description="Loader used")
    sources: int = Field(default=0, description="Sources the file yielded")
    claims: int = Field(default=0, description="Claims extracted")
    bytes: int = Field(default=0, description="File size")
    error: str | None = Field(default=None, description="Why it failed")
    hint: str | None = Field(default=None, description="What to do about it")
    parse_s: float = Field(default=0.0, description="Seconds loading, cleaning, extracting")
    embed_s: float = Field(default=0.0, description="Seconds embedding")
    write_s: float = Field(default=0.0, description="Seconds writing to Neo4j")
    superseded: int = Field(default=0, description="Sources of an older version removed")
    warnings: list[str] = Field(default_factory=list, description="Read, but not perfectly")


@dataclass
class _Prepared:
    """One file between the stages of ingestion."""

    path: Path
    out: IngestOutcome
    key: str = ""
    sha: str = ""
    size: int = 0
    docs: list[DocumentRecord] | None = None  # None: settled without writing


def _note_archived(verdicts: list[str], warnings: list[str]) -> None:
    """Say so when human verdicts were on findings about text that went."""
    if verdicts:
        warnings.append(
            f"{len(verdicts)} human verdict(s) were on findings about text of the replaced "
            "version: they are archived, and come back when the investigators find the same "
            "two quotes again (`consilience findings archived` lists them)"
        )


def _reread_note(old: str, extractor: ClaimExtractor) -> str:
    return f"read again: its claims were extracted by {old}, now {tag(extractor)}"


class _StoppedError(Exception):
    """The database went away: the files finished so far, and why it stopped."""

    def __init__(self, done: list[IngestOutcome], exc: DatabaseUnavailableError) -> None:
        super().__init__(exc.message)
        self.done, self.exc = done, exc


def file_key(path: Path) -> str:
    """A file's identity in the graph: its absolute path (content is tracked separately)."""
    return str(path.absolute().resolve())


def recorded_files(driver: Graph, raw: str, *, folders: bool = True) -> tuple[list[str], bool]:
    """The recorded files a path names, whether or not it is still on disk: that file, else
    (with `folders`) every file recorded under it as a folder, sorted; and whether they were
    found as a folder's."""
    key = file_key(Path(raw))
    if store.file_recorded(driver, key):
        return [key], False
    if not folders:
        return [], False
    return sorted(store.files_under(driver, key.rstrip(os.sep) + os.sep)), True


class ExpandedPaths(BaseModel):
    """The files an ingest will read, and the inputs it will not (with why)."""

    files: list[Path] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list, description="Inputs that matched nothing")
    refused: list[tuple[str, str]] = Field(
        default_factory=list, description="(path, reason) for inputs deliberately not read"
    )
    folders: list[Path] = Field(
        default_factory=list, description="Folders named: files gone from them are pruned"
    )


def _hidden(f: Path, root: Path) -> bool:
    """A dot-file or a file in a dot-folder *below* the folder the user named (the user's own
    path may well contain "..", ".cache" or a dot-folder: that is their choice)."""
    return any(part.startswith(".") for part in f.relative_to(root).parts)


def _link_in(path: Path, typed: int) -> Path | None:
    """The first symbolic link among the components of `path` from index `typed` on, or None.
    The components before it are the folders the user typed (`../shared/corpus/*.txt` with
    `../shared` a link is their own path); those a glob matched are not: `papers/*/*.txt`
    through a linked `papers/etc` would read /etc."""
    parts = path.parts
    for i in range(max(typed, 1), len(parts) + 1):
        if (p := Path(*parts[:i])).is_symlink():
            return p
    return None


def _typed_prefix(raw: str) -> int:
    """The index in a glob's matches of the first component its wildcards matched (the ones
    before it, the user typed)."""
    parts = Path(raw).parts
    return 1 + next((i for i, part in enumerate(parts) if any(c in part for c in "*?[")), 0)


def expand_paths(inputs: Iterable[str], *, follow_symlinks: bool = False) -> ExpandedPaths:
    """Files from files, folders (recursive) and globs.

    A path that exists is taken literally, so names with "[" or "*" work; only inputs that do
    not exist are read as globs. Symlinks are refused unless follow_symlinks: a link inside a
    folder of papers can point anywhere on the machine (/etc/shadow), and the graph would then
    serve that file's text to every API client. That holds for the file or folder named, for
    every file and folder found inside a folder, and for every component a glob matched
    (`papers/*/*.txt` through a linked folder); the folders the user typed are their own path.
    With follow_symlinks, a linked folder inside a folder is read like any other (once,
    however many links lead to it).
    """
    out = ExpandedPaths()
    files: list[Path] = []
    walked: set[Path] = set()

    def refuse(f: Path, link: Path) -> None:
        where = "" if link == f else f" in its path ({link})"
        out.refused.append((str(f), f"symbolic link{where} (pass --follow-symlinks to read it)"))

    def walk(folder: Path) -> None:
        real = folder.resolve()
        if real in walked:  # a link back up the tree, or two links to one folder
            return
        walked.add(real)
        for f in sorted(folder.rglob("*")):  # rglob lists a linked folder, never enters it
            if _hidden(f, folder):
                continue
            if f.is_symlink() and not follow_symlinks:
                refuse(f, f)
            elif f.is_symlink() and f.is_dir():
                walk(f)
            elif f.is_file() or f.is_symlink():  # a dangling link fails when read, by name
                files.append(f)

    for raw in inputs:
        literal = Path(raw)
        typed = len(literal.parts)  # a literal path: only what it names is checked
        if literal.exists() or literal.is_symlink():
            matches = [raw]
        elif any(c in raw for c in "*?["):
            matches = sorted(glob.glob(raw, recursive=True))
            typed = _typed_prefix(raw)
        else:
            matches = []
        if not matches:
            out.missing.append(raw)
        for m in matches:
            p = Path(m)
            link = None if follow_symlinks else _link_in(p, typed)
            if link is not None:
                refuse(p, link)
            elif p.is_dir():
                out.folders.append(p)
                walk(p)
            elif p.is_file():
                files.append(p)
            elif p.exists():  # /dev/null was "no such file or folder"
                out.refused.append((str(p), NOT_REGULAR))
            else:
                out.missing.append(raw)
    seen: set[Path] = set()
    unique = [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]
    out.files = [f for f in unique if _utf8_name(f)]
    out.refused += [(_shown(f), NOT_UTF8) for f in unique if not _utf8_name(f)]
    return out


NOT_UTF8 = "its name is not valid UTF-8 (rename it, e.g. `convmv -f latin1 -t utf-8 --notest`)"
NOT_REGULAR = "not a regular file or folder (a device, a pipe or a socket)"
# what to do about a refused input, by why (default: a symbolic link's)
REFUSAL_HINTS = {NOT_UTF8: "Rename the file.", NOT_REGULAR: "Give files, folders or globs."}


def _utf8_name(f: Path) -> bool:
    """Whether the path can be stored as text: a Latin-1 name ("café" as one byte \\xe9) failed
    deep in the database driver, with a traceback."""
    try:
        str(f).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(f: Path) -> str:
    """A path that is not valid UTF-8 as printable text (bad bytes as U+FFFD)."""
    return os.fsencode(f).decode("utf-8", "replace")


class RecordBuilder:
    """The pure part of ingestion, bytes -> records: needs no graph and no embedder (so
    tests, benchmarks and training scripts parse files with an extractor alone)."""

    def __init__(self, extractor: ClaimExtractor, *, max_source_chars: int = 3_000_000) -> None:
        self.extractor = extractor
        self.max_source_chars = max_source_chars

    # ---- pure part: bytes -> records --------------------------------------------------
    def build_records(self, path: Path, data: bytes) -> tuple[str, list[DocumentRecord]]:
        fmt, parsed = load_file(path, data)
        file_sha = ids.sha256_bytes(data)
        docs = [self._document(path, file_sha, i, p) for i, p in enumerate(parsed)]
        return fmt, docs

    def _document(
        self, path: Path, file_sha: str, index: int, parsed: ParsedDocument
    ) -> DocumentRecord:
        infer_metadata(parsed)
        text, placed = assemble(parsed.blocks)
        if len(text) > self.max_source_chars:
            raise IngestError(
                f"{path.name}: document '{parsed.title[:80]}' has {len(text):,} characters of "
                f"text after cleaning (limit {self.max_source_chars:,}).",
                "Split it into smaller files, or raise CONSILIENCE_MAX_SOURCE_CHARS.",
            )
        sid = ids.source_id(text)
        source = SourceRecord(
            id=sid,
            title=parsed.title,
            kind=parsed.kind or SourceKind.UNKNOWN,
            authors=parsed.authors,
            author_confidence=parsed.author_confidence,
            organisation=parsed.organisation,
            date=parsed.date,
            url=parsed.url,
            # absolute, as its file's record is (red-teamed: kept as typed, "mia/x.md" did not
            # resolve from elsewhere, and a shared source was never re-pointed to the copy)
            path=file_key(path),
            part_index=index,
            content_hash=ids.sha256_text(text),
            file_sha256=file_sha,
            text=text,
            language=parsed.language,
            flags=sorted(
                set(
                    parsed.flags
                    + (["lost-content"] if any(p.block.lost_content for p in placed) else [])
                )
            ),
            cites=cited_works(text),
            methods=methods(text),
            datasets=datasets(text),
            summary_of_title=parsed.summary_of_title,
            summary_of_url=parsed.summary_of_url,
        )
        passages: list[PassageRecord] = []
        passage_for: list[tuple[int, int, str]] = []
        for i, pb in enumerate(placed):
            pid = ids.span_id("psg", sid, pb.start, pb.end)
            passages.append(
                PassageRecord(
                    id=pid,
                    source_id=sid,
                    index=i,
                    section=pb.section,
                    start=pb.start,
                    end=pb.end,
                    lost_content=pb.block.lost_content,
                    is_footnote=pb.block.kind == "footnote",
                    page=pb.block.page,
                )
            )
            passage_for.append((pb.start, pb.end, pid))
        claims: list[ClaimRecord] = []
        abbr = abbreviations(text)
        extractor_tag = tag(self.extractor)
        seen: set[str] = set()
        for ec in self.extractor.extract(text, placed, source.kind):
            pid = next(p for s, e, p in passage_for if s <= ec.start and ec.end <= e)
            cid = ids.span_id("clm", sid, ec.start, ec.end)
            if cid in seen:
                continue
            seen.add(cid)
            at = next((pb for pb in placed if pb.start <= ec.start < pb.end), None)
            claims.append(
                ClaimRecord(
                    id=cid,
                    source_id=sid,
                    passage_id=pid,
                    text=text[ec.start : ec.end],
                    normalized=ec.normalized,
                    start=ec.start,
                    end=ec.end,
                    section=at.section if at else None,
                    page=at.block.page_at(ec.start - at.start) if at else None,
                    kind=ec.kind,
                    speaker=ec.speaker,
                    hedge=ec.hedge,
                    hedge_cues=ec.hedge_cues,
                    stated_probability=ec.stated_probability,
                    numbers=ec.numbers,
                    lost_content=ec.lost_content,
                    in_footnote=ec.in_footnote,
                    extractor=extractor_tag,
                    aspects=aspects(text[ec.start : ec.end], abbr),
                )
            )
        source.speakers = sorted(
            {c.speaker for c in claims if c.speaker and not c.speaker.startswith("(")}
        )
        return DocumentRecord(source=source, passages=passages, claims=claims)


class Ingestor(RecordBuilder):
    """Owns the per-file flow; the graph driver, embedder and extractor are injected."""

    def __init__(
        self,
        driver: Graph,
        embedder: Embedder,
        extractor: ClaimExtractor,
        *,
        batch_size: int = 2000,
        max_file_mb: float = 200.0,
        max_source_chars: int = 3_000_000,
    ) -> None:
        super().__init__(extractor, max_source_chars=max_source_chars)
        self.driver = driver
        self.embedder = embedder
        self.batch_size = batch_size
        self.max_bytes = int(max_file_mb * 1024 * 1024)

    def embed(self, docs: list[DocumentRecord]) -> None:
        """Vectors for the documents' claims: the graph's own for a text it has embedded
        before (a file read again), the embedder's for the rest."""
        claims = [c for d in docs for c in d.claims]
        keys = [ids.embed_key(self.embedder.name, c.normalized) for c in claims]
        known = store.known_embeddings(self.driver, sorted(set(keys)))
        # each new text once, however often it repeats in these documents
        todo = {k: c.normalized for k, c in zip(keys, claims, strict=True) if k not in known}
        vectors = self.embedder.embed(list(todo.values())) if todo else []
        for key, v in zip(todo, vectors, strict=True):
            known[key] = [float(x) for x in v]
        for c, key in zip(claims, keys, strict=True):
            c.embed_key, c.embedding = key, known[key]

    # ---- the I/O flow -----------------------------------------------------------------
    def _reuse(self, path: Path, key: str, sha: str, size: int, out: IngestOutcome) -> bool:
        """Settle the file without parsing when the graph already holds these bytes: the same
        path unchanged, or another file with identical content (its sources are linked to this
        path; a path whose content changed to them drops what it yielded before)."""
        state = store.file_state(self.driver, key)
        if state is not None and state.sha256 == sha and state.intact:
            old = outdated(state.extractors, self.extractor)
            if old is None:
                out.status, out.sources, out.claims = "unchanged", state.n_sources, state.n_claims
                return True
            out.warnings.append(_reread_note(old, self.extractor))
            return False
        return self._link_twin(path, key, sha, size, out, new_path=state is None)

    def _link_twin(
        self, path: Path, key: str, sha: str, size: int, out: IngestOutcome, *, new_path: bool
    ) -> bool:
        """Another file already in the graph has these bytes: link its sources to this path."""
        twin = store.content_twin(self.driver, sha, key)
        if twin is None:
            return False
        old = outdated(twin.extractors, self.extractor)
        if old is not None:  # read it again: the twin's sources get this version's claims
            out.warnings.append(_reread_note(old, self.extractor))
            return False
        removal = store.record_file(
            self.driver,
            FileRecord(
                sha256=sha, path=key, size=size, format=twin.format, source_ids=twin.source_ids
            ),
        )
        out.format, out.sources, out.claims = twin.format, len(twin.source_ids), twin.n_claims
        out.superseded = len(removal.sources)
        _note_archived(removal.verdicts, out.warnings)
        out.warnings += removal.kept
        out.status = "unchanged" if new_path else "ingested"
        out.warnings.append(f"same bytes as {Path(twin.path).name}: its sources were reused")
        return True

    def reread_pending(self, done: set[str]) -> list[IngestOutcome]:
        """Files to read again (`store.files_to_reread`) that are on disk and not among
        `done`: a source they share with a file that changed or went now names them, and its
        title, authors and date become theirs."""
        pending = store.files_to_reread(self.driver)
        todo = [Path(p) for p in pending if p not in done and Path(p).is_file()]
        try:
            outs = self._sequential(todo, False, None) if todo else []
        except _StoppedError as stop:  # the rest stay pending: the next ingest reads them
            outs = stop.done
        for o in outs:
            o.warnings.append(
                "read again: a source it shares with a file that changed or went now takes "
                "its title, authors and date from this file"
            )
        return outs

    def ingest_file(self, path: Path, *, force: bool = False) -> IngestOutcome:
        """One file, start to finish (the stages ingest_paths overlaps across files)."""
        prep = self._prepare(path, force)
        self._embed_stage(prep)
        return self._write_stage(prep)

    # Three stages. Each settles the outcome on a per-file error (the file is reported, the
    # others go on) and raises DatabaseUnavailableError when the database goes away.
    def _guard(self, prep: _Prepared, stage: Callable[[], None]) -> None:
        path, out = prep.path, prep.out
        try:
            stage()
        except DatabaseUnavailableError as exc:  # the graph handle's translation of outages
            raise DatabaseUnavailableError(
                f"Neo4j became unavailable while ingesting {path}: {exc.message}",
                "Documents are written whole or not at all: start the database "
                "(`consilience db start`) and run the same ingest (or upload) again to finish.",
            ) from exc
        except ConsilienceError as exc:
            out.error, out.hint = exc.message, exc.hint
            prep.docs = None
        except OSError as exc:
            out.error, out.hint = (
                f"Cannot read {path}: {exc.strerror or exc}",
                "Check the path and its permissions.",
            )
            prep.docs = None
        except Exception as exc:  # a bug on one odd file must not stop the rest of a folder
            log.exception("unexpected error ingesting %s", path)
            out.error = f"{path.name}: unexpected error while reading it ({type(exc).__name__})."
            out.hint = (
                "The file is not marked ingested (a rerun retries it); the other files were "
                "processed. Please report this with the file."
            )
            prep.docs = None

    def _prepare(self, path: Path, force: bool) -> _Prepared:
        """Read, hash, settle unchanged or duplicate files, parse and extract."""
        prep = _Prepared(path=path, out=IngestOutcome(path=str(path), status="failed"))

        def stage() -> None:
            out = prep.out
            size = path.stat().st_size
            out.bytes = prep.size = size
            if size > self.max_bytes:
                raise UnsupportedInputError(
                    f"{path.name} is {size / 1e6:.0f} MB (limit {self.max_bytes / 1e6:.0f} MB).",
                    "Raise CONSILIENCE_MAX_FILE_MB or split the file.",
                )
            data = path.read_bytes()
            prep.sha = ids.sha256_bytes(data)
            prep.key = file_key(path)
            if not force and self._reuse(path, prep.key, prep.sha, size, out):
                return
            t0 = time.perf_counter()
            llm = self.extractor if isinstance(self.extractor, LLMExtractor) else None
            refused = (llm.rejected_quotes, llm.rules_passages) if llm else (0, 0)
            silent = llm.silent_documents if llm else 0
            unusable = llm.unusable.copy() if llm else None
            out.format, prep.docs = self.build_records(path, data)
            if llm and unusable is not None and (lost := llm.unusable - unusable):
                out.warnings.append(
                    f"Claude's answer could not be used for {lost.total()} passage(s) ("
                    + "; ".join(f"{c} ×{n}" for c, n in lost.most_common())
                    + "): the offline rules read them"
                )
            if llm and llm.silent_documents > silent:
                out.warnings.append(
                    "Claude found no claim in it; the offline rules read it instead"
                    + (
                        f" ({llm.silent_documents - silent} of its documents)"
                        if len(prep.docs) > 1
                        else ""
                    )
                )
            if llm and llm.rejected_quotes > refused[0]:
                out.warnings.append(
                    f"{llm.rejected_quotes - refused[0]} of Claude's quotes were not in the text "
                    "word for word and were left out"
                    + (
                        f"; the offline rules read the {llm.rules_passages - refused[1]} "
                        "passage(s) where none was"
                        if llm.rules_passages > refused[1]
                        else ""
                    )
                )
            for flag in sorted({f for d in prep.docs for f in d.source.flags}):
                if flag.startswith(BAD_DATE_FLAG):
                    out.warnings.append(
                        f"its front matter's date '{flag[len(BAD_DATE_FLAG) :]}' is not a date: "
                        "left out (write it as YYYY-MM-DD)"
                    )
            if any(ENCODING_REPAIRED in d.source.flags for d in prep.docs):
                out.warnings.append(
                    "a few bytes were not valid UTF-8 and were replaced with U+FFFD (�); "
                    "re-save the file as UTF-8 to keep those characters"
                )
            out.parse_s = time.perf_counter() - t0

        self._guard(prep, stage)
        return prep

    def _embed_stage(self, prep: _Prepared) -> None:
        if prep.docs is None:
            return
        docs = prep.docs

        def stage() -> None:
            t0 = time.perf_counter()
            self.embed(docs)
            prep.out.embed_s = time.perf_counter() - t0

        self._guard(prep, stage)

    def _write_stage(self, prep: _Prepared) -> IngestOutcome:
        if prep.docs is None:
            return prep.out
        docs, out = prep.docs, prep.out

        def stage() -> None:
            t0 = time.perf_counter()
            for title, other in store.shared_with_other_files(
                self.driver, [d.source.id for d in docs], prep.key, prep.sha
            ):
                out.warnings.append(
                    f"the same text as '{title[:80]}' from {Path(other).name}: one source for "
                    "both (identical text counts once as evidence); its title, authors and date "
                    "are now this file's"
                )
            archived: list[str] = []
            for d in docs:
                archived += store.write_document(self.driver, d, batch=self.batch_size)
            removal = store.record_file(
                self.driver,
                FileRecord(
                    sha256=prep.sha,
                    path=prep.key,
                    size=prep.size,
                    format=out.format or "text",
                    source_ids=[d.source.id for d in docs],
                ),
            )
            out.write_s = time.perf_counter() - t0
            out.status, out.sources = "ingested", len(docs)
            out.claims = sum(len(d.claims) for d in docs)
            out.superseded = len(removal.sources)
            if not out.claims:
                out.warnings.append(
                    "no claims found: its text holds no sentence the extractor takes as a claim "
                    "(a title, fragments, or questions only); the source is kept (`sources list`)"
                )
            _note_archived(sorted(set(archived) | set(removal.verdicts)), out.warnings)
            out.warnings += removal.kept

        self._guard(prep, stage)
        return out

    def ingest_paths(
        self,
        inputs: Iterable[str],
        *,
        force: bool = False,
        follow_symlinks: bool = False,
        on_file: Callable[[Path], None] | None = None,
        on_step: Callable[[Path, str], None] | None = None,
    ) -> list[IngestOutcome]:
        """Ingest files, folders and globs. `on_file(path)` after each file is done (parsed,
        embedded and written); `on_step(path, step)` as each file enters a stage (reading,
        embedding N claims, writing), so a long file shows what it is doing."""
        found = expand_paths(inputs, follow_symlinks=follow_symlinks)
        files = found.files
        outcomes = [
            IngestOutcome(
                path=m,
                status="failed",
                error=f"{m}: no such file or folder",
                hint=f"The graph still holds what was ingested from it: `consilience forget "
                f"{shlex.quote(m)}` removes that."
                if recorded_files(self.driver, m)[0]
                else "Check the path (quote globs for the shell).",
            )
            for m in found.missing
        ] + [
            IngestOutcome(
                path=r,
                status="refused",
                error=f"{r}: not read: {why}",
                hint=REFUSAL_HINTS.get(
                    why,
                    "Symbolic links are refused by default; copy the file, or pass "
                    "--follow-symlinks if you trust where the link points.",
                ),
            )
            for r, why in found.refused
        ]
        try:
            outcomes.extend(self._sequential(files, force, on_file, on_step))
        except _StoppedError as stop:
            # Every later file would fail the same way. Rerunning finishes.
            outcomes.extend(stop.done)
            outcomes.extend(
                IngestOutcome(path=str(g), status="failed", error=stop.exc.message,
                              hint=stop.exc.hint)
                for g in files[len(stop.done) :]
            )  # fmt: skip
            return outcomes
        outcomes.extend(self._prune(found))
        outcomes.extend(self.reread_pending({file_key(f) for f in files}))
        if any(o.status in ("ingested", "removed") for o in outcomes):
            store.link_summaries(self.driver)
        return outcomes

    def _sequential(
        self,
        files: list[Path],
        force: bool,
        on_file: Callable[[Path], None] | None,
        on_step: Callable[[Path, str], None] | None = None,
    ) -> list[IngestOutcome]:
        """Files in order, stage after stage. Overlapping the stages across files (parse the
        next while embedding this one, write this one while embedding the next) was measured
        slower on a 2-core machine (bench/ingest, corpus: 55.6 s against 49.2 s): the database
        and the embedder compete for the same cores."""
        done: list[IngestOutcome] = []
        for f in files:
            try:
                if on_step:
                    on_step(f, "reading")
                prep = self._prepare(f, force)
                if on_step and prep.docs:
                    n = sum(len(d.claims) for d in prep.docs)
                    on_step(f, f"embedding {n:,} claims")
                self._embed_stage(prep)
                if on_step and prep.docs:
                    on_step(f, "writing")
                done.append(self._write_stage(prep))
                if on_file:  # f is done: parsed, embedded and written
                    on_file(f)
            except DatabaseUnavailableError as exc:
                raise _StoppedError(done, exc) from exc
        return done

    def _prune(self, found: ExpandedPaths) -> list[IngestOutcome]:
        """Files recorded inside a folder the user named that are no longer in it: their
        record and the sources no other file yields go, so the graph matches the folder."""
        present = {file_key(f) for f in found.files} | {file_key(Path(r)) for r, _ in found.refused}
        out: list[IngestOutcome] = []
        for folder in found.folders:
            prefix = file_key(folder).rstrip(os.sep) + os.sep
            for gone in sorted(set(store.files_under(self.driver, prefix)) - present):
                if Path(gone).exists() and not _hidden(Path(gone), Path(prefix)):
                    continue  # still there (e.g. unreadable this time): keep it
                removal = store.remove_file(self.driver, gone)
                warnings = (
                    ["no longer in the folder: its sources were removed"]
                    if removal.sources
                    else ["no longer in the folder"]
                )
                _note_archived(removal.verdicts, warnings)
                out.append(
                    IngestOutcome(
                        path=gone,
                        status="removed",
                        superseded=len(removal.sources),
                        warnings=warnings,
                    )
                )
        return out
