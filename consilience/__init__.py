"""Consilience: a cross-paper consistency knowledge graph for AI-safety research."""

__version__ = "0.1.0"
