"""Cypher constants, one module per concern; always parameterised."""
