"""One nested settings object, read once from the environment (and `.env`)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from consilience.errors import ConfigurationError


def _lower(value: object) -> object:
    """A choice spelt in any case (`G1`) is the lower-case one."""
    return value.lower() if isinstance(value, str) else value


_JVM_SIZE = re.compile(r"0*[1-9][0-9]*[kmgt]?", re.I)
# Neo4j's own byte sizes also take "512MiB", "2GB" and "1.5g" (review)
_NEO4J_SIZE = re.compile(r"(?=.*[1-9])[0-9]+(?:\.[0-9]+)?\s*(?:[kmgt](?:i?b)?|b)?", re.I)


def _jvm_size(value: str) -> str:
    """A heap size as the JVM takes it (`1g`, `512m`, `1024M`, more than zero); red-teamed:
    `abc` reached the JVM, which refused to start with a trace and a hint about ports."""
    text = value.strip()
    if not _JVM_SIZE.fullmatch(text):
        raise ValueError(f"a memory size above zero such as 1g or 512m is needed, not {value!r}")
    return text


def _neo4j_size(value: str) -> str:
    """A size as Neo4j's configuration takes it (`256m`, `512MiB`, `2GB`, `1.5g`)."""
    text = value.strip()
    if not _NEO4J_SIZE.fullmatch(text):
        raise ValueError(f"a memory size above zero such as 256m or 1g is needed, not {value!r}")
    return text


class Neo4jSettings(BaseModel):
    """How to reach (or run) the graph database."""

    uri: str | None = Field(
        default=None,
        description="External Neo4j bolt/neo4j URI; unset means the project-managed server",
    )
    user: str = Field(default="neo4j", description="Neo4j user name")
    password: SecretStr | None = Field(
        default=None, description="Neo4j password; the managed server generates and stores its own"
    )
    database: str | None = Field(
        default=None, description="Database name (None: the server default)"
    )
    bolt_port: int | None = Field(
        default=None, description="Bolt port of the managed server; unset picks a free port once"
    )
    version: str = Field(
        default="5.26.30", description="Neo4j Community version laid out with Maven"
    )
    lib_dir: Path | None = Field(
        default=None,
        description="Folder of Neo4j jars (default <data_dir>/neo4j/lib); may be shared",
    )
    heap: Annotated[str, AfterValidator(_jvm_size)] = Field(
        default="1g", description="JVM heap of the managed server"
    )
    pagecache: Annotated[str, AfterValidator(_neo4j_size)] = Field(
        default="256m", description="Page cache of the managed server"
    )
    gc: Annotated[Literal["parallel", "g1"], BeforeValidator(_lower)] = Field(
        default="parallel",
        description="Garbage collector of the managed server's JVM, from its next start: parallel "
        "costs less CPU than g1 on a small heap (12% less database CPU for a 100k-claim "
        "confidence write on 2 cores, alternated restarts of one server); g1 keeps pauses "
        "shorter on a heap of several GB",
    )
    jit: Annotated[Literal["lean", "default"], BeforeValidator(_lower)] = Field(
        default="lean",
        description="How the managed server's JVM compiles hot code, from its next start: lean "
        "inlines less (kg.server.JIT_FLAGS), so its compiler spends about half the CPU, which "
        "on 2 cores competes with the database and the embedder (see kg/server.py for the "
        "figures); default is the JVM's own inlining",
    )
    start_timeout_s: float = Field(
        default=90.0, description="Seconds to wait for the server to answer"
    )


def default_cache_dir() -> Path:
    """Where derived model files are kept: $XDG_CACHE_HOME/consilience, else
    ~/.cache/consilience (one copy for every data folder of the user)."""
    base = os.environ.get("XDG_CACHE_HOME")  # noqa: TID251 - the platform's cache location
    return (Path(base) if base else Path.home() / ".cache") / "consilience"


class EmbeddingSettings(BaseModel):
    """The sentence-embedding model (offline, from a pinned package)."""

    batch_size: int = Field(default=64, description="Sentences per encode call (torch devices)")
    device: str = Field(
        default="cpu",
        description="cpu: onnxruntime, a sentence per call on every core (exported once from "
        "the packaged weights into cache_dir); another torch device (cuda): sentence-transformers",
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="Folder for the ONNX export of the embedding model (~90 MB, made on first use)",
    )


class NLISettings(BaseModel):
    """The project's own NLI judge (models/nli-minilm-l6)."""

    threads: int = Field(
        default=0,
        ge=0,
        description="Pairs read at once, each by one onnxruntime thread (0: one per core); "
        "every pair is read alone, so its reading does not depend on the others",
    )
    skip_neutral: float | None = Field(
        default=0.9,
        ge=0.5,  # below, B→A copies of an A→B read with high entailment would be discounted
        description="Skip the B→A pass when A→B is at least this neutral (1.7x faster, same "
        "kind on 99% of real pairs; see bench/judgement (e)); null runs both directions always",
    )
    early_exit: bool = Field(
        default=True,
        description="Stop after three layers where the early-exit head reads a pair as plainly "
        "neutral (investigators.nli.early_exit: ~1.5x faster on the corpus' candidate pairs; "
        "see bench/judgement (e)); false reads every pair with all six",
    )
    keep_readings: bool = Field(
        default=True,
        description="Keep the model's readings on disk (<data_dir>/readings, one file per model),"
        " so re-judging after a change of the judge's rules or levels reads no pair twice; safe"
        " to delete",
    )


class RetrievalSettings(BaseModel):
    """Candidate retrieval: channels fused per claim under a budget."""

    budget: int = Field(
        default=30,
        ge=1,
        le=500,
        description=(
            "Candidate pairs per new claim, on average: the learned ranker shares them within"
            " each batch of new claims (at least 5, at most 3x per claim)"
        ),
    )
    k_dense: int = Field(default=100, description="Nearest neighbours by claim embedding")
    k_context: int = Field(default=60, description="Nearest neighbours by claim-in-context vector")
    k_lexical: int = Field(default=60, description="BM25 hits (Neo4j full-text) per claim")
    k_aspect: int = Field(default=60, description="Claims sharing rare key phrases per claim")
    k_counter: int = Field(default=30, description="Neighbours of each counter-query")
    counter_queries: int = Field(
        default=1,
        ge=0,
        le=5,
        description="Counter-queries (opposite rewrites) embedded per new claim; 0 turns the "
        "channel off. A second one reached no more labelled pairs at budgets 10, 30 or 60 and "
        "doubled the channel's cost (bench/candidates)",
    )
    k_topic: int = Field(default=60, description="Same-topic claims per claim")
    k_nearby: int = Field(
        default=300, ge=0, le=1000, description="Claims of the most similar sources per claim"
    )
    nearby_sources: int = Field(
        default=15, ge=0, le=200, description="How many of the most similar sources nearby reads"
    )
    ranker: Literal["learned", "rrf"] = Field(
        default="learned",
        description="How each claim's candidates are ordered: the fitted ranker "
        "(models/retrieval-ranker) or reciprocal-rank fusion",
    )
    nearby_weight: float = Field(
        default=2.0,
        ge=0,
        le=20,
        description="Weight of the nearby channel in reciprocal-rank fusion",
    )
    llm_claims: int = Field(
        default=100,
        description="Claims per retrieval batch given LLM-written queries (a run asks for all "
        "its batches' at once)",
    )


class LLMSettings(BaseModel):
    """The optional Claude adjudicator/extractor."""

    model: str = Field(default="claude-sonnet-4-5", description="Claude model name")
    max_retries: int = Field(
        default=2,
        description="Retries of a request that failed transiently (each held against the cap)",
    )
    timeout_s: float = Field(default=60.0, description="Per-request timeout")
    batch_wait_s: float = Field(
        default=3600.0,
        gt=0.0,
        description="Longest wait for a Message Batch (most end within an hour); then it is "
        "cancelled, the answers it has are kept and the others are asked again next time",
    )
    budget_pairs: int = Field(
        default=200,
        ge=0,
        description="Most new pairs Claude adjudicates in one run (asked together at its end)",
    )
    uses: list[Literal["queries", "adjudication", "dimensions"]] = Field(
        default_factory=lambda: ["queries", "adjudication", "dimensions"],
        description="What a run asks Claude for (JSON list in CONSILIENCE_LLM__USES): the "
        "retrieval channel's queries, the adjudication of pairs, the missing-dimension "
        "proposals; the others are not asked. Claim extraction is `--llm-extractor`'s",
    )
    budget_usd: float = Field(
        default=10.0,
        ge=0.0,
        description="Most one run may spend on Claude, all its requests together (retrieval "
        "queries, adjudication, missing dimensions): a request is sent only while its worst "
        "case fits in what is left; the rest are asked by the next run",
    )
    band_low: float = Field(
        default=0.2,
        ge=0.0,
        le=1.0,
        description="The check queue holds judge scores from here to band_high; pairs the "
        "judge read as unrelated below it are the find queue's",
    )
    band_high: float = Field(
        default=0.8, ge=0.0, le=1.0, description="Judge scores above this are not sent to Claude"
    )
    find_share: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Share of the budget for pairs the judge read as unrelated that the "
        "retriever rates most likely related (what the offline judge misses); the rest checks "
        "the judge's least certain readings. 0 or 1 turns a queue off",
    )
    usd_per_mtok_in: float = Field(
        default=3.0, description="Price per million input tokens (estimate)"
    )
    usd_per_mtok_out: float = Field(default=15.0, description="Price per million output tokens")

    @model_validator(mode="after")
    def _band_in_order(self) -> LLMSettings:
        if self.band_low > self.band_high:
            raise ValueError(
                f"llm.band_low ({self.band_low}) is above llm.band_high ({self.band_high}): "
                "set CONSILIENCE_LLM__BAND_LOW at or below CONSILIENCE_LLM__BAND_HIGH"
            )
        return self


class ApiSettings(BaseModel):
    """The HTTP service (`consilience serve`)."""

    host: str = Field(default="127.0.0.1", description="Interface to listen on")
    port: int = Field(default=8765, description="Port to listen on")
    keys: list[SecretStr] = Field(
        default_factory=list,
        description="API keys (JSON list in CONSILIENCE_API__KEYS); every write needs one",
    )
    keys_for_reads: bool = Field(default=False, description="Require a key for reads too")
    max_body_mb: float = Field(default=25.0, description="Refuse request bodies larger than this")
    max_page: int = Field(default=200, description="Largest page size a client may ask for")
    job_workers: int = Field(default=1, description="Ingest jobs run at once (per process)")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Server processes (`consilience serve --workers`): reads scale with the "
        "cores; jobs are shared through the data folder",
    )


class Settings(BaseSettings):
    """All configuration. Standard names (NEO4J_URI, NEO4J_DATABASE, ANTHROPIC_API_KEY) are
    honoured."""

    model_config = SettingsConfigDict(
        env_prefix="CONSILIENCE_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
        # "null" in an environment variable is None (CONSILIENCE_NLI__SKIP_NEUTRAL=null runs
        # both directions, as its description says; it was "not a valid number")
        env_parse_none_str="null",
    )

    data_dir: Path = Field(default=Path(".consilience"), description="Project data folder")
    write_batch_size: int = Field(default=2000, description="Rows per UNWIND batch on writes")
    max_file_mb: float = Field(default=200.0, description="Refuse input files larger than this")
    max_source_chars: int = Field(
        default=3_000_000, description="Refuse a single document whose cleaned text is longer"
    )
    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    nli: NLISettings = Field(default_factory=NLISettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_URI"))
    neo4j_user: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD")
    )
    neo4j_database: str | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_DATABASE")
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("ANTHROPIC_BASE_URL")
    )

    def model_post_init(self, __context: object) -> None:
        # The standard variable names win over the nested ones.
        if self.neo4j_uri:
            self.neo4j.uri = self.neo4j_uri
        if self.neo4j_user:
            self.neo4j.user = self.neo4j_user
        if self.neo4j_password:
            self.neo4j.password = self.neo4j_password
        if self.neo4j_database:
            self.neo4j.database = self.neo4j_database
        self.data_dir = self.data_dir.expanduser().resolve()

    @property
    def uses_external_db(self) -> bool:
        return bool(self.neo4j.uri)

    @property
    def neo4j_dir(self) -> Path:
        return self.data_dir / "neo4j"

    @property
    def faiss_dir(self) -> Path:
        return self.data_dir / "faiss"


def load_settings(**overrides: Any) -> Settings:
    """Read settings once; callers pass the object down (no global state). Overrides are
    field values, validated by pydantic like the environment's (Any: any field's type).
    A value that is not valid is a ConfigurationError naming its variable (red-teamed:
    CONSILIENCE_NEO4J__HEAP=abc ended every command in a pydantic traceback)."""
    try:
        return Settings(**overrides)
    except SettingsError as exc:  # a value the environment gives that cannot be parsed
        raise ConfigurationError(
            f"A setting could not be read: {str(exc)[:300]}.",
            "Fix or unset that environment variable (or its line in .env); lists and nested "
            "settings are JSON, e.g. CONSILIENCE_API__KEYS='[\"a-long-key\"]'.",
        ) from exc
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = [str(x) for x in e["loc"]]
            name = loc[0] if loc and loc[0].isupper() else "CONSILIENCE_" + "__".join(loc).upper()
            problems.append(f"{name}: {e['msg'].removeprefix('Value error, ')}")
        raise ConfigurationError(
            "A setting is not valid: " + "; ".join(problems) + ".",
            "Fix or unset that environment variable (or its line in .env); the README's "
            "section *The database* lists the settings.",
        ) from exc
