"""Orders and their lines."""

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.core.db import Model
from shop.core.money import ZERO, Money

STATUSES = ("new", "paid", "shipped", "cancelled", "refunded")


class OrderLine(Model):
    table = "order_lines"

    def __init__(self, product: Product, quantity, unit_price: Money, **fields):
        super().__init__(product=product, quantity=quantity, unit_price=unit_price, **fields)

    def total(self) -> Money:
        return self.unit_price.times(self.quantity)


class Order(Model):
    table = "orders"

    def __init__(self, user: User, lines=(), status="new", **fields):
        super().__init__(user_id=user.id, lines=list(lines), status=status, **fields)

    def total(self) -> Money:
        total = ZERO
        for line in self.lines:
            total = total + line.total()
        return total

    def weight_grams(self):
        return sum(line.product.weight_grams * line.quantity for line in self.lines)
