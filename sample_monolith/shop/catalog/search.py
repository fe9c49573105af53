"""Product search: a naive full-text match, ranked by name."""

from shop.catalog.models import Product
from shop.core.utils import slugify


def search(query, limit=20):
    words = slugify(query).split("-")
    hits = [product for product in Product.objects.select_related("category")
            if all(word in slugify(product.name) for word in words)]
    return sorted(hits, key=lambda product: product.name)[:limit]
