"""Payments made for orders."""

from shop.core.db import Model
from shop.core.money import Money
from shop.orders.models import Order


class Payment(Model):
    table = "payments"

    def __init__(self, order: Order, amount: Money, provider, reference=None, **fields):
        super().__init__(order_id=order.id, amount=amount, provider=provider,
                         reference=reference, refunded_cents=0, **fields)

    def refundable(self) -> Money:
        return Money(self.amount.cents - self.refunded_cents, self.amount.currency)
