"""HTTP views for carts and orders."""

from shop.accounts.auth import current_user
from shop.accounts.permissions import require_owner
from shop.core.db import Repository
from shop.orders import checkout as checkout_flow
from shop.orders.cart import Cart
from shop.orders.history import history
from shop.orders.models import Order
from shop.orders.returns import request_return
from shop.orders.services import refund_order

_carts = {}


def show_cart(request):
    cart = _carts.setdefault(request["token"], Cart())
    return {"items": len(cart.items), "total": cart.total().cents}


def checkout(request):
    user = current_user(request["token"])
    order = checkout_flow.place_order(user, _carts.pop(request["token"]), request["address"],
                                      request["card_token"])
    return checkout_flow.order_summary(order)


def cancel(request):
    user = current_user(request["token"])
    order = Repository.of(Order).get(request["id"])
    require_owner(user, order)
    if order.status == "paid":
        return {"status": refund_order(order.id, "cancelled by customer").status}
    return {"status": checkout_flow.cancel_order(order.id).status}


def past_orders(request):
    user = current_user(request["token"])
    return [checkout_flow.order_summary(order) for order in history(user)]


def return_order(request):
    user = current_user(request["token"])
    order = Repository.of(Order).get(request["id"])
    require_owner(user, order)
    return {"status": return_order_status(request)}


def return_order_status(request):
    return request_return(request["id"], request["reason"], int(request["days"])).status
