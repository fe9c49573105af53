"""Order lifecycle after checkout: refunds."""

from shop.core import events
from shop.core.db import Repository
from shop.orders.models import Order
from shop.payments.refunds import refund_payment


def refund_order(order_id, reason):
    order = Repository.of(Order).get(order_id)
    refund_payment(order.payment_id, order.total(), reason)
    order.status = "refunded"
    order.save()
    events.publish("order.refunded", order_id=order.id)
    return order
