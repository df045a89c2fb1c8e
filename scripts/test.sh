#!/usr/bin/env bash
# Test command: set-up (idempotent), lint, import contracts and type check, then the whole test suite
# against a real, throw-away Neo4j server (or NEO4J_URI when set) and the real model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
V=.venv/bin
echo "==> ruff"
$V/ruff check .
$V/ruff format --check . >/dev/null || { echo "ruff format would change files: run .venv/bin/ruff format ." >&2; exit 1; }
echo "==> import contracts (the layers)"
$V/lint-imports --no-cache
echo "==> pyright (standard; strict on kg/, queries/, api/: Cypher must be a LiteralString)"
$V/pyright
echo "==> pytest"
$V/python -m pytest -q "$@"
