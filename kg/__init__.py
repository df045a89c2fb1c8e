"""The graph store: the only package that writes to Neo4j."""
