"""Use cases that combine domains, and the read models that pages and the API share."""
