#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: virtualenv, Python dependencies, the Neo4j home
# (Maven), and the packaged embedding model. A second run only checks and is quick.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${CONSILIENCE_VENV:-.venv}
PY=${PYTHON:-python3}

command -v "$PY" >/dev/null || { echo "error: $PY not found; install Python 3.11+." >&2; exit 2; }
command -v java >/dev/null || { echo "error: java not found; install a JDK 17 (apt-get install openjdk-17-jdk-headless) or set NEO4J_URI." >&2; exit 2; }
command -v mvn >/dev/null || { echo "error: mvn not found; install Maven (apt-get install maven) or set NEO4J_URI." >&2; exit 2; }

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtualenv $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.consilience-deps"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing Python dependencies (first run downloads torch: a few minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi

echo "==> checking the Neo4j home (Maven Central, cached in ~/.m2)"
"$VENV/bin/consilience" db build

# the embedding model runs in onnxruntime on the CPU: its ONNX copy is exported once from the
# verified packaged weights (into embedding.cache_dir, ~/.cache/consilience by default)
echo "==> preparing the embedding model (an ONNX copy of the packaged weights, made once)"
"$VENV/bin/python" -c "from consilience.settings import load_settings; from kg.embedding import MiniLMEmbedder; MiniLMEmbedder(cache_dir=load_settings().embedding.cache_dir).embed(['ready'])"
