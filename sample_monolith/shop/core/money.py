"""Money as integer cents with a currency; never floats."""

from dataclasses import dataclass

from shop.core.errors import ValidationError


@dataclass(frozen=True)
class Money:
    cents: int
    currency: str = "EUR"

    def __add__(self, other):
        self._check(other)
        return Money(self.cents + other.cents, self.currency)

    def __sub__(self, other):
        self._check(other)
        return Money(self.cents - other.cents, self.currency)

    def times(self, quantity):
        return Money(self.cents * quantity, self.currency)

    def percent(self, rate):
        return Money(round(self.cents * rate / 100), self.currency)

    def _check(self, other):
        if other.currency != self.currency:
            raise ValidationError(f"cannot mix {self.currency} and {other.currency}")


ZERO = Money(0)
