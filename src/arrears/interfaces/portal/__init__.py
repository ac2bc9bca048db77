"""The cardholder portal's pages and API (/portal/, /en/portal/, /portal/api/v1/): its own sign-in and session,
separate from the staff's."""
