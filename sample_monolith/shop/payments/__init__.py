"""Charging customers, refunds and fraud checks."""
