"""Application layer: one workflow per user action (used by the CLI and the API alike),
and the wiring that builds the services they need."""
