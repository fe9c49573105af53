"""A customer's past orders."""

from shop.core.db import Repository
from shop.orders.checkout import order_summary
from shop.orders.models import Order


def history(user):
    return sorted(Repository.of(Order).filter(user_id=user.id), key=lambda order: order.id)


def last_order(user):
    orders = history(user)
    return orders[-1] if orders else None


def summaries(user):
    return [order_summary(order) for order in history(user)]
