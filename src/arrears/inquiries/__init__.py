"""Customer inquiries."""
