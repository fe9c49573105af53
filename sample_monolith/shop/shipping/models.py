"""Shipments of orders."""

from shop.core.db import Model


class Shipment(Model):
    table = "shipments"

    def __init__(self, order_id, carrier, address_line, **fields):
        super().__init__(order_id=order_id, carrier=carrier, address_line=address_line,
                         status="scheduled", tracking_code=None, **fields)
