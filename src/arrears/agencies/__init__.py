"""Collection agencies."""
