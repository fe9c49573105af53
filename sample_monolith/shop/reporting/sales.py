"""Sales figures from orders and payments."""

from collections import Counter

from shop.core.db import Repository
from shop.core.money import ZERO
from shop.orders.models import Order
from shop.payments.models import Payment


def revenue():
    total = ZERO
    for payment in Repository.of(Payment).rows.values():
        total = total + payment.refundable()
    return total


def orders_by_status():
    return Counter(order.status for order in Repository.of(Order).rows.values())
