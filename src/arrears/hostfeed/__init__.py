"""Host-feed mode: the card host's daily feed in, outbound instruction files out (docs/host-feed.md)."""
