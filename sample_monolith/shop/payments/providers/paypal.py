"""PayPal payments."""

from shop.payments.providers.base import Provider, ProviderError


class PaypalProvider(Provider):
    name = "paypal"

    def charge(self, cents, currency, token):
        if cents <= 0:
            raise ProviderError("nothing to charge")
        return f"pp_{token}_{cents}"

    def refund(self, reference, cents):
        return f"{reference}_refund_{cents}"
