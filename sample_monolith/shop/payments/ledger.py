"""The payments ledger: every charge and refund as an entry, for reconciliation."""

from shop.core.money import Money
from shop.payments.models import Payment
from django.apps import apps

_entries = []


def record(payment: Payment, kind, amount: Money):
    _entries.append({"payment_id": payment.id, "kind": kind, "cents": amount.cents,
                     "currency": amount.currency})


def balance(payment: Payment) -> Money:
    cents = sum(entry["cents"] if entry["kind"] == "charge" else -entry["cents"]
                for entry in _entries if entry["payment_id"] == payment.id)
    return Money(cents, payment.amount.currency)


def entries_for(payment: Payment):
    return [entry for entry in _entries if entry["payment_id"] == payment.id]


def refunded_cents(order_id):
    refunds = apps.get_model("orders.Refund").objects.filter(order_id=order_id)
    return sum(refund.amount_cents for refund in refunds)
