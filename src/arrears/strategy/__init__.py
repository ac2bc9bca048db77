"""Treatment strategies."""
