"""URL routes: the one place that knows every app's views."""

from shop.accounts import views as account_views
from shop.catalog import views as catalog_views
from shop.orders import views as order_views
from shop.payments import views as payment_views
from shop.reporting import views as reporting_views
from shop.shipping import views as shipping_views

ROUTES = {
    "/login": account_views.login,
    "/register": account_views.register,
    "/products": catalog_views.product_list,
    "/products/<slug>": catalog_views.product_detail,
    "/cart": order_views.show_cart,
    "/checkout": order_views.checkout,
    "/orders/<id>/cancel": order_views.cancel,
    "/payments/webhook": payment_views.webhook,
    "/shipments/<id>": shipping_views.track,
    "/reports/sales": reporting_views.sales_report,
}


def resolve(path):
    """Return the view for a path, or None."""
    return ROUTES.get(path)
