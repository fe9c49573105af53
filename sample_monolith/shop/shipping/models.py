"""Shipments of orders."""

from shop.core.db import Model
from django.db import models


class Shipment(Model):
    # Written as strings: shipping imports nothing of orders or accounts, yet its table points at theirs.
    order = models.OneToOneField("orders.Order", related_name="shipment", on_delete=models.PROTECT)
    address = models.ForeignKey("accounts.Address", on_delete=models.PROTECT)
    carrier = models.CharField(max_length=32)
    status = models.CharField(max_length=16, default="scheduled")
    tracking_code = models.CharField(max_length=64, null=True)

    class Meta:
        db_table = "shipments"
