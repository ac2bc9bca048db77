"""Pure rules of this package: no Django."""
