"""Everything that uses the model for people: the CLI, figures, (later) sweeps and the store."""
