"""Turning model answers into checked patches: envelope, grammar, syntax, apply."""
