"""Claim extraction: the offline rule-based extractor and the optional Claude one."""
