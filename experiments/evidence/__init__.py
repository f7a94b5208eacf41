"""The evidence registry and the `arrival-city evidence` command (docs/EVIDENCE.md)."""
