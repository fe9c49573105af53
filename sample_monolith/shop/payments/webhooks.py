"""Callbacks from payment providers."""

from shop.core.money import Money
from shop.payments.ledger import record
from shop.payments.refunds import refund_payment


def handle(event):
    if event.get("type") == "refund.requested":
        amount = Money(event["cents"])
        payment = refund_payment(event["payment_id"], amount, "provider")
        record(payment, "refund", amount)
        return {"refunded": payment.refunded_cents}
    return {"ignored": event.get("type")}
