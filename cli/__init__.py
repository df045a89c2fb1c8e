"""Front end: the `consilience` command (typer commands and pure renderers of workflow results)."""
