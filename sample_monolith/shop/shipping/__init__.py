"""Shipments, carriers, zones and tracking."""
