"""Cardholder portal."""
