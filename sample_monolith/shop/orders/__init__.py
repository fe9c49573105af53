"""Carts, orders and the checkout that turns one into the other."""
