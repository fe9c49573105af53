"""Use case: staff read the dashboard and the recent orders."""

from shop.reporting.dashboards import dashboard
from shop.reporting.sales import orders_in_category


def test_dashboard_and_recent_orders(paid_order):
    order, _ = paid_order
    figures = dashboard()
    assert figures == {"revenue_cents": 3300, "orders": {"paid": 1}, "in_transit": 0}
    assert list(orders_in_category("books")) == [order, order]  # one row per line of the order
    assert list(orders_in_category("games")) == []
