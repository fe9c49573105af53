"""Runtime settings, read once from the environment."""

import os

DEBUG = os.environ.get("SHOP_DEBUG", "0") == "1"
DATABASE_URL = os.environ.get("SHOP_DATABASE_URL", "sqlite:///shop.db")
CURRENCY = os.environ.get("SHOP_CURRENCY", "EUR")
PAYMENT_PROVIDER = os.environ.get("SHOP_PAYMENT_PROVIDER", "card")
SMTP_HOST = os.environ.get("SHOP_SMTP_HOST", "localhost")
SMS_GATEWAY_URL = os.environ.get("SHOP_SMS_GATEWAY", "https://sms.example.invalid/send")
FREE_SHIPPING_THRESHOLD_CENTS = 5000
FRAUD_SCORE_LIMIT = 0.8

AUTH_USER_MODEL = "accounts.User"
INSTALLED_APPS = ["shop.accounts", "shop.catalog", "shop.orders", "shop.payments", "shop.shipping"]
