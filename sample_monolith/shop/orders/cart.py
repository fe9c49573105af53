"""The shopping cart kept in a session until checkout."""

from shop.catalog.models import Product
from shop.catalog.pricing import discounted, with_tax
from shop.core.money import ZERO
from shop.orders.models import OrderLine


class Cart:
    def __init__(self):
        self.items = {}

    def add(self, product: Product, quantity=1):
        self.items[product.sku] = (product, self.items.get(product.sku, (product, 0))[1] + quantity)

    def remove(self, product: Product):
        self.items.pop(product.sku, None)

    def total(self, discount_percent=0):
        total = ZERO
        for product, quantity in self.items.values():
            total = total + with_tax(discounted(product, discount_percent)).times(quantity)
        return total

    def is_empty(self):
        return not self.items

    def to_order_lines(self):
        return [OrderLine(product, quantity, product.price).save()
                for product, quantity in self.items.values()]
