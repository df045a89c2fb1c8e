"""Write paths: one managed write transaction per document."""

from __future__ import annotations

import json
from collections.abc import Iterable

from neo4j import ManagedTransaction
from pydantic import BaseModel

from kg.cypher import documents as q
from kg.graph import Graph, Rows
from kg.ids import quote_sha
from kg.models import ClaimRecord, DocumentRecord, FileRecord


def _source_props(doc: DocumentRecord) -> dict[str, object]:
    s = doc.source
    props = s.model_dump(exclude={"id", "authors", "flags", "cites", "methods", "datasets"})
    props["kind"] = s.kind.value
    props["flags"] = list(s.flags)
    props["authors"] = list(s.authors)
    props["n_claims"] = len(doc.claims)
    return props  # None too: a date or URL no longer stated is removed, not kept


def _claim_row(c: ClaimRecord) -> dict[str, object]:
    props = c.model_dump(exclude={"id", "embedding", "numbers", "passage_id"})
    props["kind"] = c.kind.value
    props["hedge"] = c.hedge.value
    props["numbers_json"] = json.dumps([n.model_dump() for n in c.numbers])
    props["measured"] = sorted({n.measured for n in c.numbers if n.measured})
    props["has_numbers"] = bool(c.numbers)
    props["text_sha"] = quote_sha(c.text)  # the quote's identity across versions
    props = {k: v for k, v in props.items() if v is not None}
    return {"id": c.id, "passage_id": c.passage_id, "props": props, "embedding": c.embedding}


def _write_document_tx(tx: ManagedTransaction, doc: DocumentRecord, batch: int) -> list[str]:
    sid = doc.source.id
    tx.run(
        q.UPSERT_SOURCE,
        id=sid,
        props=_source_props(doc),
        authors=list(doc.source.authors),
        cites=list(doc.source.cites),
        methods=list(doc.source.methods),
        datasets=list(doc.source.datasets),
        organisation=doc.source.organisation,
    ).consume()
    if doc.source.organisation:
        tx.run(q.LINK_SOURCE_ORGANISATION, id=sid, organisation=doc.source.organisation).consume()
    rec = tx.run(
        q.DELETE_STALE_SPANS,
        source_id=sid,
        passage_ids=[p.id for p in doc.passages],
        claim_ids=[c.id for c in doc.claims],
    ).single()
    archived: list[str] = rec["archived"] if rec else []
    prow = [{"id": p.id, "props": p.model_dump(exclude={"id"})} for p in doc.passages]
    for i in range(0, len(prow), batch):
        tx.run(q.UPSERT_PASSAGES, source_id=sid, rows=Rows(prow[i : i + batch])).consume()
    crow = [_claim_row(c) for c in doc.claims]
    for i in range(0, len(crow), batch):
        tx.run(q.UPSERT_CLAIMS, source_id=sid, rows=Rows(crow[i : i + batch])).consume()
    return archived


def write_document(driver: Graph, doc: DocumentRecord, *, batch: int = 2000) -> list[str]:
    """Write a source with its passages and claims, whole or not at all. Returns the ids of
    findings whose human verdicts were archived with claims the source no longer has."""
    with driver.write() as session:
        return session.execute_write(_write_document_tx, doc, batch)


class FileState(BaseModel):
    """What the graph knows about one file path."""

    sha256: str
    complete: bool
    n_sources: int
    source_ids: list[str]
    n_claims: int
    extractors: list[str] = []  # name@version of what extracted its claims

    @property
    def intact(self) -> bool:
        """Complete, and every source it yielded is still in the graph."""
        return self.complete and len(self.source_ids) == self.n_sources


class ContentTwin(BaseModel):
    """Another file with the same bytes, already ingested whole."""

    path: str
    format: str
    source_ids: list[str]
    n_claims: int
    extractors: list[str] = []


def file_state(driver: Graph, path: str) -> FileState | None:
    with driver.read() as session:
        rec = session.run(q.FILE_STATE, path=path).single()
    if rec is None or rec["sha256"] is None:
        return None
    return FileState(
        sha256=rec["sha256"],
        complete=bool(rec["complete"]),
        n_sources=int(rec["n_sources"] or 0),
        source_ids=list(rec["source_ids"]),
        n_claims=int(rec["n_claims"]),
        extractors=[e for e in rec["extractors"] if e],
    )


def content_twin(driver: Graph, sha256: str, path: str) -> ContentTwin | None:
    with driver.read() as session:
        rec = session.run(q.CONTENT_TWIN, sha256=sha256, path=path).single()
    if rec is None:
        return None
    return ContentTwin(
        path=rec["path"],
        format=rec["format"],
        source_ids=list(rec["source_ids"]),
        n_claims=int(rec["n_claims"]),
        extractors=[e for e in rec["extractors"] if e],
    )


class Removal(BaseModel):
    """What recording or forgetting a file removed from the graph."""

    sources: list[str]
    verdicts: list[str]  # findings whose human verdicts went to the archive
    kept: list[str] = []  # what a user said about a replaced source, now on its new version


def _successors(tx: ManagedTransaction, stale: list[str], new: list[str]) -> dict[str, str]:
    """Which new source of a file each replaced one becomes: the only one for the only one,
    else the one of the same title."""
    if len(stale) == 1 and len(new) == 1:
        return {stale[0]: new[0]}
    titles = {r["id"]: r["title"] for r in tx.run(q.SOURCE_TITLES, ids=stale + new)}
    by_title = {titles.get(n): n for n in new if titles.get(n)}
    return {o: by_title[t] for o in stale if (t := titles.get(o)) and t in by_title}


def _carry_state(tx: ManagedTransaction, old: str, new: str) -> list[str]:
    """The user's retraction and summary declarations of `old`, now on `new`; what moved."""
    rec = tx.run(q.CARRY_SOURCE_STATE, old=old, new=new).single()
    if rec is None:
        return []
    out: list[str] = []
    if rec["retract"]:
        why = f" ({rec['reason']})" if rec["reason"] else ""
        out.append(f"its retraction{why} holds for the new version")
    if n := int(rec["links"]) + int(rec["refused"]):
        out.append(f"{n} summary declaration(s) of yours hold for the new version")
    return out


def _drop_sources_of(tx: ManagedTransaction, path: str, keep: list[str]) -> Removal:
    stale = [r["id"] for r in tx.run(q.SOURCES_SUPERSEDED_BY_FILE, path=path, source_ids=keep)]
    kept: list[str] = []
    if stale and keep:
        for old, new in _successors(tx, stale, keep).items():
            kept += _carry_state(tx, old, new)
    verdicts: list[str] = []
    for sid in stale:
        rec = tx.run(q.DELETE_SOURCE, id=sid).single()
        archived: list[str] = rec["archived"] if rec else []
        verdicts += [f for f in archived if f not in verdicts]
    return Removal(sources=stale, verdicts=verdicts, kept=kept)


def record_file(driver: Graph, file: FileRecord) -> Removal:
    """Mark the file at this path complete with these sources; delete the sources its earlier
    content yielded that no other file yields (their reviewed findings' verdicts archived)."""

    def _tx(tx: ManagedTransaction) -> Removal:
        removal = _drop_sources_of(tx, file.path, file.source_ids)
        tx.run(
            q.UPSERT_FILE,
            sha256=file.sha256,
            path=file.path,
            size=file.size,
            format=file.format,
            source_ids=file.source_ids,
        ).consume()
        tx.run(q.REPOINT_SOURCES, path=file.path).consume()
        return removal

    with driver.write() as session:
        return session.execute_write(_tx)


def remove_file(driver: Graph, path: str) -> Removal:
    """Forget a file that is gone: its record, and the sources no other file yields."""

    def _tx(tx: ManagedTransaction) -> Removal:
        removal = _drop_sources_of(tx, path, [])
        tx.run(q.DELETE_FILE, path=path).consume()
        tx.run(q.REPOINT_SOURCES, path=path).consume()
        return removal

    with driver.write() as session:
        return session.execute_write(_tx)


def shared_with_other_files(
    driver: Graph, source_ids: list[str], path: str, sha256: str
) -> list[tuple[str, str]]:
    """(title, other file's path) of each of these sources another file, with other bytes,
    already yields (a byte-identical copy has the same title, authors and date)."""
    with driver.read() as session:
        rows = session.run(q.OTHER_FILES_YIELDING, ids=source_ids, path=path)
        return [(str(r["title"]), str(r["path"])) for r in rows if sha256 not in r["shas"]]


def file_recorded(driver: Graph, path: str) -> bool:
    """Whether the graph has a record of a file at this path (read whole or not)."""
    with driver.read() as session:
        return bool(session.run(q.FILE_RECORDED, path=path).single(strict=True)["held"])


def files_to_reread(driver: Graph) -> list[str]:
    """Files to read again: a source they share moved to them from a file edited or gone."""
    with driver.read() as session:
        return [r["path"] for r in session.run(q.FILES_TO_REREAD)]


def files_under(driver: Graph, folder: str) -> list[str]:
    """Paths of recorded files inside this folder (absolute, with a trailing separator)."""
    with driver.read() as session:
        return [r["path"] for r in session.run(q.FILES_UNDER, prefix=folder)]


def link_summaries(driver: Graph) -> int:
    """Link summaries to the sources they name (by title or URL)."""
    with driver.write() as session:
        rec = session.execute_write(lambda tx: tx.run(q.LINK_SUMMARIES).single())
        return int(rec["linked"]) if rec else 0


def declare_summary(driver: Graph, summary_id: str, source_id: str, how: str = "user") -> str:
    """Link a summary to its source ('user' declared, or 'detected-from-overlap'): "linked";
    "reverse" when the source is recorded as a summary of the summary (nothing written: each
    would summarise the other); "refused" when a detected link was undone by a user
    (`undeclare_summary`; a user's own declaration is never refused); "missing" when either
    source does not exist."""
    with driver.write() as session:
        rec = session.execute_write(
            lambda tx: tx.run(
                q.DECLARE_SUMMARY, summary_id=summary_id, source_id=source_id, how=how
            ).single()
        )
    if rec is None:
        return "missing"
    return "reverse" if rec["reverse"] else "refused" if rec["refused"] else "linked"


def undeclare_summary(driver: Graph, summary_id: str, source_id: str) -> str | None:
    """A user's "not a summary of": remove the link and keep detection from making it again.
    How the removed link had been made ('user', 'detected-from-title', ...; 'unknown' for a
    link that does not say), "" when there was none (the pair is remembered all the same),
    "reverse" when there was none but the source is recorded as a summary of the summary
    (nothing written), None when either source does not exist."""
    with driver.write() as session:
        rec = session.execute_write(
            lambda tx: tx.run(
                q.UNDECLARE_SUMMARY, summary_id=summary_id, source_id=source_id
            ).single()
        )
    if rec is None:
        return None
    return "reverse" if rec["reverse"] else rec["was"] or ""


def claim_embeddings(
    driver: Graph, ids: Iterable[str] | None = None
) -> list[tuple[str, list[float]]]:
    """(claim id, embedding) for the given ids, or all embedded claims sorted by id."""
    with driver.write() as session:
        if ids is None:
            res = session.run(q.ALL_CLAIM_EMBEDDINGS)
        else:
            res = session.run(q.CLAIM_EMBEDDINGS_BY_ID, ids=list(ids))
        return [(r["id"], list(r["embedding"])) for r in res]


def known_embeddings(driver: Graph, keys: list[str]) -> dict[str, list[float]]:
    """The vectors the graph already holds for these embedding keys (kg.ids.embed_key)."""
    if not keys:
        return {}
    with driver.read() as session:
        return {r["key"]: list(r["embedding"]) for r in session.run(q.EMBEDDINGS_BY_KEY, keys=keys)}


def claim_ids(driver: Graph) -> set[str]:
    with driver.write() as session:
        return set(session.run(q.ALL_CLAIM_IDS).single(strict=True)["ids"])
