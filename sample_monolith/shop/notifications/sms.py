"""Sending text messages."""

from shop import settings

sent = []


def send_sms(phone, text):
    sent.append({"url": settings.SMS_GATEWAY_URL, "phone": phone, "text": text[:160]})
