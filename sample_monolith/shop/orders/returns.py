"""Returns: a customer sends items back and gets a refund."""

from shop.core.db import Repository
from shop.core.errors import ValidationError
from shop.orders.checkout import cancel_order
from shop.orders.models import Order
from shop.orders.services import refund_order

RETURN_WINDOW_DAYS = 30


def request_return(order_id, reason, days_since_delivery):
    order = Repository.of(Order).get(order_id)
    if order.status in ("new", "paid"):
        return cancel_order(order.id, f"returned before shipping: {reason}")
    if order.status != "shipped":
        raise ValidationError("only shipped orders can be returned")
    if days_since_delivery > RETURN_WINDOW_DAYS:
        raise ValidationError(f"returns close after {RETURN_WINDOW_DAYS} days")
    return refund_order(order.id, f"returned: {reason}")
