"""The weekly digest e-mail."""

from shop.notifications.email import send_email
from shop.notifications.preferences import allows
from shop.notifications.templates import render


def send_digest(users, highlights):
    sent = 0
    for user in users:
        if allows(user.id, "email"):
            subject, body = render("digest", name=user.name, items=", ".join(highlights))
            send_email(user.email, subject, body)
            sent += 1
    return sent
