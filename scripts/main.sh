#!/usr/bin/env bash
# Main job, end to end: set-up (idempotent), start the project's Neo4j, ingest the corpus,
# investigate, compute confidences, evaluate the example safety case, and print the report. Usage: scripts/main.sh [PATH...] (default: the corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -eq 0 ]; then
  if [ ! -d ../shared/corpus ]; then
    echo "error: no corpus at $(cd .. && pwd)/shared/corpus; pass paths: scripts/main.sh FILE_OR_FOLDER..." >&2
    exit 2
  fi
  set -- "../shared/corpus/*.txt" "demo/abstracts/*/*.md"  # the abstracts, not PROVENANCE.md
fi
exec .venv/bin/consilience run "$@" --case cases/auto-alignment.yaml
