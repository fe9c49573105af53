"""Tracking updates from carriers."""

from shop.core import events
from shop.core.db import Repository
from shop.shipping.carriers import CARRIERS
from shop.shipping.models import Shipment


def update(tracking_code, status):
    for shipment in Repository.of(Shipment).rows.values():
        if shipment.tracking_code == tracking_code and shipment.carrier in CARRIERS:
            shipment.status = status
            shipment.save()
            if status == "dispatched":
                events.publish("shipment.dispatched", order_id=shipment.order_id)
            return shipment
    return None
