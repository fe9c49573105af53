"""Sending e-mail."""

from shop import settings

outbox = []


def send_email(to, subject, body):
    outbox.append({"host": settings.SMTP_HOST, "to": to, "subject": subject, "body": body})
