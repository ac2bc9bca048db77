"""Legal action."""
