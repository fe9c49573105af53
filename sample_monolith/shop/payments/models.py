"""Payments made for orders."""

from shop.core.db import Model
from shop.core.money import Money
from shop.orders.models import Order
from django.db import models


class Payment(Model):
    order = models.ForeignKey("orders.Order", related_name="payments", on_delete=models.PROTECT)
    amount_cents = models.IntegerField()
    provider = models.CharField(max_length=32)
    reference = models.CharField(max_length=64, null=True)
    refunded_cents = models.IntegerField(default=0)

    class Meta:
        db_table = "payments"

    def refundable(self) -> Money:
        return Money(self.amount_cents - self.refunded_cents)


def payments_for(order: Order):
    return Payment.objects.filter(order=order)
