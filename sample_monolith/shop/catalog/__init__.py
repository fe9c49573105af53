"""Products, categories, prices and stock."""
