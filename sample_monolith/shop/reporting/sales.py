"""Sales figures from orders and payments."""

from collections import Counter

from shop.core.db import Repository
from shop.core.money import ZERO
from shop.orders.checkout import order_summary
from shop.orders.models import Order
from shop.payments.models import Payment


def revenue():
    total = ZERO
    for payment in Repository.of(Payment).rows.values():
        total = total + payment.refundable()
    return total


def orders_by_status():
    return Counter(order.status for order in Repository.of(Order).rows.values())


def recent_orders(limit=10):
    orders = sorted(Repository.of(Order).rows.values(), key=lambda order: order.id)[-limit:]
    return [order_summary(order) for order in orders]


def orders_in_category(name):
    # One query, three joins: order -> lines -> product -> category (catalog's tables).
    return Order.objects.filter(lines__product__category__name=name).select_related("user")
