"""Prices after discounts and tax."""

from shop.catalog.models import Product
from shop.core.money import Money

VAT_PERCENT = 20


def discounted(product: Product, discount_percent=0) -> Money:
    return product.price - product.price.percent(discount_percent)


def with_tax(amount: Money) -> Money:
    return amount + amount.percent(VAT_PERCENT)
