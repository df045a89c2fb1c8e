"""Training the project's own NLI cross-encoder (reproducible; CI never trains)."""
