"""Shipping zones by country."""

from shop.core.utils import slugify

DOMESTIC = {"fr"}
EUROPE = {"de", "es", "it", "nl", "be", "pt", "at", "pl"}


def zone_of(country):
    code = slugify(country)[:2]
    if code in DOMESTIC:
        return "domestic"
    if code in EUROPE:
        return "europe"
    return "world"
