"""Refunds of earlier payments."""

from shop.core.db import Repository
from shop.core.errors import ValidationError
from shop.core.money import Money
from shop.payments.gateway import provider
from shop.payments.models import Payment
from django.apps import apps


def refund_payment(payment_id, amount: Money, reason):
    payment = Repository.of(Payment).get(payment_id)
    if amount.cents > payment.refundable().cents:
        raise ValidationError("refund larger than the payment")
    provider().refund(payment.reference, amount.cents)
    payment.refunded_cents += amount.cents
    payment.refund_reason = reason
    return payment.save()


def refunds_for(order_id):
    return [payment for payment in Repository.of(Payment).filter(order_id=order_id)
            if payment.refunded_cents]


def record_refund(order_id, amount: Money, reason):
    # The refunds table lives in the orders app; payments reaches it by name, not by import.
    refund = apps.get_model("orders", "Refund")
    return refund.objects.create(order_id=order_id, amount_cents=amount.cents, reason=reason)
