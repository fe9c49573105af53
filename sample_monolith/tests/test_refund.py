"""Use case: a paid order is refunded, by the shop or on the payment provider's request."""

from shop.orders.services import refund_order
from shop.payments.invoices import invoice
from shop.payments.ledger import record
from shop.payments.refunds import refund_payment
from shop.core.money import Money


def test_refund_of_a_paid_order(paid_order):
    order, payment = paid_order
    refunded = refund_order(order.id, "damaged in transit")
    assert (refunded.status, payment.refunded_cents, payment.refund_reason) == ("refunded", 3300, "damaged in transit")


def test_provider_asks_for_a_partial_refund(paid_order):
    _, payment = paid_order
    refund_payment(payment.id, Money(1000), "provider")
    assert (payment.refunded_cents, payment.refundable()) == (1000, Money(2300))


def test_invoice_lists_the_ledger(paid_order):
    _, payment = paid_order
    payment.amount = payment.refundable()
    record(payment, "charge", payment.amount)
    assert invoice(payment) == {"payment": payment.id, "lines": ["charge: 33.00 EUR"], "due": 3300}
