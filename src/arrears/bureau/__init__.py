"""Credit reporting."""
