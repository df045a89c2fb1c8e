"""The FastAPI service: thin over queries/ and ingest/."""
