"""Shipping rate tables per carrier and zone.

It lives in catalog for historical reasons (rates were once a product attribute), but only
the shipping app uses it, and it changes whenever carriers or zones change.
"""

from shop.core.money import Money
from shop.shipping.carriers import CARRIERS
from shop.shipping.zones import zone_of

_RATES_CENTS = {
    ("postal", "domestic"): 490,
    ("postal", "europe"): 990,
    ("postal", "world"): 1990,
    ("express", "domestic"): 1290,
    ("express", "europe"): 2490,
    ("express", "world"): 4990,
}


def rate(carrier, country, weight_grams) -> Money:
    if carrier not in CARRIERS:
        raise KeyError(carrier)
    base = _RATES_CENTS[(carrier, zone_of(country))]
    extra_kilos = max(0, (weight_grams - 1000) // 1000)
    return Money(base + extra_kilos * 150)
