"""The kernel: what every layer above may use and which imports nothing of them (the clock)."""
