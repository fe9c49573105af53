"""Invoices for paid orders."""

from shop.payments.ledger import balance, entries_for
from shop.payments.models import Payment


def invoice(payment: Payment):
    lines = [f"{entry['kind']}: {entry['cents'] / 100:.2f} {entry['currency']}"
             for entry in entries_for(payment)]
    return {"payment": payment.id, "lines": lines, "due": balance(payment).cents}
