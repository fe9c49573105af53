"""Reactions of the orders app to other apps' events."""

from shop.core import events
from shop.core.db import Repository
from shop.orders.models import Order


def _mark_shipped(order_id, **_):
    order = Repository.of(Order).get(order_id)
    order.status = "shipped"
    order.save()


events.subscribe("shipment.dispatched", _mark_shipped)
