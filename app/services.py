"""Wiring: settings in, graph/embedder/extractor/LLM out. Constructors do no I/O."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from consilience.llm import LLM, build_llm
from consilience.llm_spend import Spend
from consilience.settings import Settings
from ingest.claims.base import ClaimExtractor
from ingest.claims.llm import LLMExtractor
from ingest.claims.rules import RuleExtractor
from ingest.pipeline import Ingestor
from investigators.nli.judge import Judge
from investigators.nli.model import NLIModel
from kg.driver import managed_server, open_graph
from kg.embedding import MiniLMEmbedder
from kg.faiss_index import ClaimIndex
from kg.graph import Graph
from kg.private import private_dir
from kg.schema import ensure_schema
from kg.server import ManagedServer


@dataclass
class Services:
    """Everything a command needs, opened lazily and closed once."""

    settings: Settings
    embedder: MiniLMEmbedder
    extractor: ClaimExtractor
    llm: LLM | None = None
    _graph: Graph | None = field(default=None, repr=False)
    _index: ClaimIndex | None = field(default=None, repr=False)
    _judge: Judge | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def server(self) -> ManagedServer:
        return managed_server(self.settings)

    def graph(self) -> Graph:
        """The graph handle (opened, and the schema ensured, on first use)."""
        with self._lock:  # the API calls this from worker threads
            if self._graph is None:
                graph = open_graph(self.settings)
                try:
                    ensure_schema(graph)
                except BaseException:
                    graph.close()
                    raise
                self._graph = graph
            return self._graph

    def claim_index(self) -> ClaimIndex:
        with self._lock:
            if self._index is None:
                self._index = ClaimIndex(self.settings.faiss_dir, self.embedder.dimensions).load()
            return self._index

    def judge(self) -> Judge:
        """The NLI judge (model loaded and sha256-checked on first use)."""
        with self._lock:
            if self._judge is None:
                self._judge = Judge(
                    NLIModel(
                        threads=self.settings.nli.threads,
                        readings_dir=self.settings.data_dir / "readings"
                        if self.settings.nli.keep_readings
                        else None,
                        early_exit=self.settings.nli.early_exit,
                    ),
                    skip_neutral=self.settings.nli.skip_neutral,
                )
            return self._judge

    def new_spend(self) -> Spend:
        """A fresh account with Claude for one command (`CONSILIENCE_LLM__BUDGET_USD`)."""
        s = self.settings.llm
        return Spend(s.budget_usd, (s.usd_per_mtok_in, s.usd_per_mtok_out))

    def ingestor(self, spend: Spend | None = None) -> Ingestor:
        """An ingest run's ingestor. With Claude extracting, its requests go on `spend` (the
        command's account: a fresh one when none is given) and each passage's answer is kept
        in the graph."""
        s = self.settings
        extractor = self.extractor
        if isinstance(extractor, LLMExtractor):
            from investigators.llm_cache import GraphJudgementCache

            cache = GraphJudgementCache(self.graph())
            extractor = extractor.for_run(cache, spend or self.new_spend())
        return Ingestor(
            self.graph(),
            self.embedder,
            extractor,
            batch_size=s.write_batch_size,
            max_file_mb=s.max_file_mb,
            max_source_chars=s.max_source_chars,
        )

    def close(self) -> None:
        if self._graph is not None:
            self._graph.close()
            self._graph = None


def build_services(
    settings: Settings,
    *,
    extractor: ClaimExtractor | None = None,
    use_llm_extractor: bool = False,
) -> Services:
    """Wire everything once. The LLM extractor is opt-in (costly) and needs a key; "no LLM"
    is decided here, never re-checked downstream."""
    private_dir(settings.data_dir)  # database, password, uploads, index: this user only
    embedder = MiniLMEmbedder(
        settings.embedding.batch_size,
        settings.embedding.device,
        cache_dir=settings.embedding.cache_dir,
    )
    llm = build_llm(settings)
    if extractor is None:
        extractor = LLMExtractor(llm) if (use_llm_extractor and llm) else RuleExtractor()
    return Services(settings=settings, embedder=embedder, extractor=extractor, llm=llm)
