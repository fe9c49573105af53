"""The staff dashboard."""

from shop.core.db import Repository
from shop.reporting.sales import orders_by_status, revenue
from shop.shipping.models import Shipment


def dashboard():
    shipments = Repository.of(Shipment).rows.values()
    return {
        "revenue_cents": revenue().cents,
        "orders": dict(orders_by_status()),
        "in_transit": sum(1 for shipment in shipments if shipment.status == "booked"),
    }
