"""The month's processes, one module each, in the order of DESIGN §1 (see docs/ODD.md)."""
