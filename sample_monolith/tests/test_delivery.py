"""Use case: the carrier reports a parcel dispatched; the order follows and the customer hears of it."""

import pytest

import shop.notifications.service  # noqa: F401 - subscribes to shipping's events, as the app does on start
import shop.orders.signals  # noqa: F401
from shop.shipping.models import Shipment
from shop.shipping.quotes import describe
from shop.shipping.tracking import update

pytestmark = pytest.mark.use_case("delivery")


def test_dispatch_marks_the_order_shipped(paid_order, customer):
    order, _ = paid_order
    _, address = customer
    shipment = Shipment.objects.create(order=order, address=address, carrier="postal", tracking_code="PX1")
    shipment.cache()
    assert update("PX1", "dispatched") is shipment
    assert order.status == "shipped"


def test_quote_before_checkout():
    assert describe("FR", 2300) == "postal to domestic: 6.40"
