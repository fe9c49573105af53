"""A fraud score in [0, 1] for a charge."""

from shop.accounts.models import User
from shop.core.money import Money


def score(user: User, amount: Money):
    risk = 0.0
    if amount.cents > 100_000:
        risk += 0.5
    if not getattr(user, "verified_email", False):
        risk += 0.2
    if getattr(user, "chargebacks", 0):
        risk += 0.3
    return min(risk, 1.0)
