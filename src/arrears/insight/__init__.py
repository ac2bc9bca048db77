"""Insight: KPIs with tested definitions, reports, quality review, propensity to pay."""
