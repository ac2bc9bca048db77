"""What every layer may use: money, dates and the one clock, SQL helpers, vocabularies."""
