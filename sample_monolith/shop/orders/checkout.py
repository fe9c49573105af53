"""Checkout: turns a cart into a paid, shipped-to-be order.

Everything meets here: stock, prices, payment, shipping, customer accounts and the
notifications. It is the module every feature touches.
"""

from shop import settings
from shop.accounts.models import Address, User
from shop.catalog import inventory
from shop.core import events
from shop.core.db import Repository
from shop.core.errors import ValidationError
from shop.core.money import Money
from shop.notifications.service import notify
from shop.orders.cart import Cart
from shop.orders.models import Order
from shop.orders.services import refund_order
from shop.payments import fraud
from shop.payments.gateway import charge
from shop.shipping.services import quote_shipping, schedule_shipment
from django.apps import apps
from django.db import transaction


class CheckoutError(ValidationError):
    """The order could not be placed; the message says why."""


def start_checkout(user: User, cart: Cart):
    if cart.is_empty():
        raise CheckoutError("the cart is empty")
    for product, quantity in cart.items.values():
        inventory.reserve(product, quantity)
    return Order(user, cart.to_order_lines()).save()


def shipping_cost(order: Order, address: Address, carrier="postal") -> Money:
    if order.total().cents >= settings.FREE_SHIPPING_THRESHOLD_CENTS:
        return Money(0)
    return quote_shipping(carrier, address.country, order.weight_grams())


def place_order(user: User, cart: Cart, address: Address, card_token, carrier="postal"):
    order = start_checkout(user, cart)
    total = order.total() + shipping_cost(order, address, carrier)
    if fraud.score(user, total) > settings.FRAUD_SCORE_LIMIT:
        order.status = "cancelled"
        order.save()
        raise CheckoutError("payment declined")
    payment = charge(order, total, card_token)
    order.status = "paid"
    order.payment_id = payment.id
    order.save()
    schedule_shipment(order, address, carrier)
    events.publish("order.placed", order_id=order.id)
    notify(user, "order_placed", order_id=order.id, total=total.cents)
    return order


def cancel_order(order_id, reason="customer request"):
    order = Repository.of(Order).get(order_id)
    if order.status not in ("new", "paid"):
        raise CheckoutError(f"an order that is {order.status} cannot be cancelled")
    if order.status == "paid":
        refund_order(order.id, reason)
    for line in order.lines:
        inventory.receive(line.product, line.quantity)
    order.status = "cancelled"
    order.cancel_reason = reason
    order.save()
    events.publish("order.cancelled", order_id=order.id)
    return order


def reorder(previous: Order):
    cart = Cart()
    for line in previous.lines:
        cart.add(line.product, line.quantity)
    return cart


def order_summary(order: Order):
    return {
        "id": order.id,
        "status": order.status,
        "total": order.total().cents,
        "lines": [(line.product.sku, line.quantity) for line in order.lines],
    }


def mark_paid(order: Order, payment_id, reference):
    # One transaction writes the orders table and the payments table: a saga once they split.
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(status="paid")
        apps.get_model("payments", "Payment").objects.filter(pk=payment_id).update(reference=reference)
