"""Adapters for external payment providers."""
