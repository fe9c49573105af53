"""Checkout tests (excluded from the analysis by decomposer's default patterns)."""

from shop.orders.cart import Cart
from shop.orders.checkout import CheckoutError, start_checkout


def test_empty_cart_is_refused():
    try:
        start_checkout(user=None, cart=Cart())
    except CheckoutError as error:
        assert "empty" in str(error)
