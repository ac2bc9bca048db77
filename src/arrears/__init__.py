"""Arrears: collections for credit-card issuers."""
