"""Two short documents from independent labs that contradict each other twice (a negation and
another value of the same quantity), for the tests that need findings."""

POST = """# Monitoring results

Linear probes detect deceptive behaviour in most transcripts we examined.

The logit monitor achieves AUROC 0.79 from a single rollout on our benchmark.
"""
REPLY = """# A reply from another lab

Linear probes do not detect deceptive behaviour in most transcripts we examined.

The logit monitor achieves AUROC 0.55 from a single rollout on our benchmark.
"""
