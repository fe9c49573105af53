"""What every payment provider adapter offers."""


class ProviderError(Exception):
    pass


class Provider:
    name = "base"

    def charge(self, cents, currency, token):
        raise NotImplementedError

    def refund(self, reference, cents):
        raise NotImplementedError
