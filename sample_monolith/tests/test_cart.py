"""Use case: a customer fills a cart and sees what the order will cost, shipping included."""

from shop.core.money import Money
from shop.orders.cart import Cart
from shop.orders.checkout import shipping_cost


def test_cart_total_with_tax_and_discount(products):
    cart = Cart()
    cart.add(products[0], 2)
    cart.add(products[1])
    assert cart.total() == Money(3960)
    assert cart.total(discount_percent=10) == Money(3564)


def test_shipping_is_free_above_the_threshold_only(paid_order, customer):
    order, _ = paid_order
    _, address = customer
    assert shipping_cost(order, address) == Money(790)
    assert shipping_cost(order, address, carrier="express") == Money(1590)
