"""Reports for staff: sales, stock and dashboards. Reads other apps, never writes them."""
