"""Products and the categories they are listed in."""

from shop.core.db import Model
from shop.core.money import Money


class Category(Model):
    table = "categories"


class Product(Model):
    table = "products"

    def __init__(self, sku, name, price: Money, weight_grams=0, category_id=None, **fields):
        super().__init__(sku=sku, name=name, price=price, weight_grams=weight_grams,
                         category_id=category_id, **fields)
