"""Charges through the configured payment provider."""

from shop import settings
from shop.core.errors import ValidationError
from shop.core.money import Money
from shop.payments.ledger import record
from shop.payments.models import Payment
from shop.payments.providers.card import CardProvider
from shop.payments.providers.paypal import PaypalProvider

PROVIDERS = {"card": CardProvider, "paypal": PaypalProvider}


def provider():
    try:
        return PROVIDERS[settings.PAYMENT_PROVIDER]()
    except KeyError:
        raise ValidationError(f"unknown payment provider {settings.PAYMENT_PROVIDER}") from None


def charge(order, amount: Money, token):
    reference = provider().charge(amount.cents, amount.currency, token)
    payment = Payment(order, amount, settings.PAYMENT_PROVIDER, reference).save()
    record(payment, "charge", amount)
    return payment
