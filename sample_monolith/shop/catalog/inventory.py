"""Stock levels and reservations."""

from shop.catalog.models import Product
from shop.core import events
from shop.core.errors import ValidationError

_stock = {}


def stock_of(product: Product):
    return _stock.get(product.sku, 0)


def receive(product: Product, quantity):
    _stock[product.sku] = stock_of(product) + quantity
    events.publish("stock.received", sku=product.sku, quantity=quantity)


def reserve(product: Product, quantity):
    if stock_of(product) < quantity:
        raise ValidationError(f"only {stock_of(product)} of {product.sku} left")
    _stock[product.sku] -= quantity
    if _stock[product.sku] == 0:
        events.publish("stock.empty", sku=product.sku)
