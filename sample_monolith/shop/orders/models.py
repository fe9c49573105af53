"""Orders, their lines, and the refunds of paid orders."""

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.core.db import Model
from shop.core.money import ZERO, Money
from django.conf import settings
from django.db import models

STATUSES = ("new", "paid", "shipped", "cancelled", "refunded")


class Order(Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="orders", on_delete=models.PROTECT)
    status = models.CharField(max_length=16, default="new")
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "orders"

    def total(self) -> Money:
        total = ZERO
        for line in self.lines.all():
            total = total + line.total()
        return total

    def weight_grams(self):
        return sum(line.product.weight_grams * line.quantity for line in self.lines.all())


class OrderLine(Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    quantity = models.IntegerField()
    unit_price_cents = models.IntegerField()

    class Meta:
        db_table = "order_lines"

    def total(self) -> Money:
        return Money(self.unit_price_cents).times(self.quantity)


class Refund(Model):
    """Kept with the orders for history's sake; only the payments code reads and writes it."""

    order = models.ForeignKey("orders.Order", related_name="refunds", on_delete=models.PROTECT)
    amount_cents = models.IntegerField()
    reason = models.CharField(max_length=200)

    class Meta:
        db_table = "refunds"


def orders_of(user: User):
    return Order.objects.filter(user=user).select_related("user")


def lines_of(product: Product):
    return OrderLine.objects.filter(product=product)
