"""HTTP views for payment providers' callbacks."""

from shop.core.money import Money
from shop.payments.refunds import refund_payment


def webhook(request):
    if request.get("type") == "refund.requested":
        payment = refund_payment(request["payment_id"], Money(request["cents"]), "provider")
        return {"refunded": payment.refunded_cents}
    return {"ignored": request.get("type")}
