"""Stock figures per product."""

from shop.catalog.inventory import stock_of
from shop.catalog.models import Product
from shop.core.db import Repository


def low_stock(threshold=5):
    return sorted(product.sku for product in Repository.of(Product).rows.values()
                  if stock_of(product) < threshold)
