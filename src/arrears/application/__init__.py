"""Use cases that combine domains: what a person sees and does, above the domain packages."""
