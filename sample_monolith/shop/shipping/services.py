"""Shipping as the rest of the shop uses it."""

from typing import TYPE_CHECKING

from shop.catalog.shipping_rates import rate
from shop.core import events
from shop.shipping.carriers import book
from shop.shipping.models import Shipment

if TYPE_CHECKING:
    from shop.orders.models import Order


def quote_shipping(carrier, country, weight_grams):
    return rate(carrier, country, weight_grams)


def schedule_shipment(order: "Order", address, carrier):
    shipment = Shipment(order.id, carrier, address.one_line()).save()
    book(shipment)
    events.publish("shipment.scheduled", order_id=order.id, shipment_id=shipment.id)
    return shipment
