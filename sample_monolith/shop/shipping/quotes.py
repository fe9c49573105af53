"""Shipping quotes shown before checkout."""

from shop.catalog.shipping_rates import rate
from shop.core.money import Money
from shop.shipping.carriers import CARRIERS
from shop.shipping.zones import zone_of


def cheapest(country, weight_grams) -> tuple[str, Money]:
    quotes = [(carrier, rate(carrier, country, weight_grams)) for carrier in CARRIERS]
    return min(quotes, key=lambda quote: quote[1].cents)


def describe(country, weight_grams):
    carrier, price = cheapest(country, weight_grams)
    return f"{carrier} to {zone_of(country)}: {price.cents / 100:.2f}"
