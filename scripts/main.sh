#!/usr/bin/env bash
# Main job, end to end: set-up (idempotent), start the project's Neo4j, ingest the corpus,
# investigate, and print the report. Usage: scripts/main.sh [PATH...] (default: the corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "$#" -eq 0 ]; then
  set -- "../shared/corpus/*.txt"
fi
exec .venv/bin/consilience run "$@"
