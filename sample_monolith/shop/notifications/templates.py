"""Message templates, filled with str.format."""

from shop.core.errors import NotFound

TEMPLATES = {
    "welcome": ("Welcome to the shop", "Hello {name}, your handle is {handle}."),
    "order_placed": ("Thank you for your order", "Order {order_id} is confirmed: {total} cents."),
    "order_shipped": ("Your order is on its way", "Order {order_id} has been dispatched."),
    "digest": ("This week at the shop", "Hello {name}, new this week: {items}."),
}


def render(name, **values):
    try:
        subject, body = TEMPLATES[name]
    except KeyError:
        raise NotFound(f"no template {name}") from None
    return subject, body.format(**values)
