"""CSV exports of the reports."""

import csv
import io

from shop.core.utils import now
from shop.reporting.inventory_report import low_stock
from shop.reporting.sales import orders_by_status


def export_orders_csv():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["status", "orders", "exported_at"])
    for status, count in sorted(orders_by_status().items()):
        writer.writerow([status, count, now().isoformat()])
    return buffer.getvalue()


def export_low_stock_csv():
    return "\n".join(["sku", *low_stock()])
