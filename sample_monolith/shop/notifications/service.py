"""The one entry point other apps call: notify a customer."""

from shop.core import events
from shop.notifications.email import send_email
from shop.notifications.preferences import allows
from shop.notifications.sms import send_sms
from shop.notifications.templates import render


def notify(user, template, **values):
    subject, body = render(template, name=getattr(user, "name", ""), **values)
    if allows(user.id, "email"):
        send_email(user.email, subject, body)
    if getattr(user, "phone", None) and allows(user.id, "sms"):
        send_sms(user.phone, body)


def _on_dispatched(order_id, **_):
    render("order_shipped", order_id=order_id)


events.subscribe("shipment.dispatched", _on_dispatched)
