"""HTTP views for staff reports."""

from shop.accounts.auth import current_user
from shop.accounts.permissions import require_staff
from shop.reporting.dashboards import dashboard
from shop.reporting.exports import export_orders_csv


def sales_report(request):
    require_staff(current_user(request["token"]))
    if request.get("format") == "csv":
        return export_orders_csv()
    return dashboard()


def low_stock_report(request):
    require_staff(current_user(request["token"]))
    from shop.reporting.exports import export_low_stock_csv  # loaded only when asked for

    return export_low_stock_csv()
