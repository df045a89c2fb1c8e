"""Read-side Cypher constants, one module per topic."""
