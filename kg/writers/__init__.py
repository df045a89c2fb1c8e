"""The graph's writers: every write of the project goes through these modules (and their
Cypher in kg/cypher/). The read side (queries/) may not import this package."""
