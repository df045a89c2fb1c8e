"""Cypher used by the investigator runner (reads and finding writes)."""
