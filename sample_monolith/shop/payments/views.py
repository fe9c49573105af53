"""HTTP views for payment providers' callbacks and invoices."""

from shop.core.db import Repository
from shop.payments.invoices import invoice
from shop.payments.models import Payment
from shop.payments.webhooks import handle


def webhook(request):
    return handle(request)


def show_invoice(request):
    return invoice(Repository.of(Payment).get(request["payment_id"]))
