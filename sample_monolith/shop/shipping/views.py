"""HTTP views for shipments."""

from shop.core.db import Repository
from shop.shipping.models import Shipment
from shop.shipping.quotes import describe
from shop.shipping.tracking import update


def track(request):
    shipment = Repository.of(Shipment).get(request["id"])
    return {"status": shipment.status, "code": shipment.tracking_code}


def carrier_callback(request):
    shipment = update(request["code"], request["status"])
    return {"ok": shipment is not None}


def quote(request):
    return {"quote": describe(request["country"], int(request["grams"]))}
