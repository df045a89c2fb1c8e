"""Candidate retrieval: several channels fused under a per-claim budget."""
