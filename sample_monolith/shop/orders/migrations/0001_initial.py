"""Create the orders tables."""

from shop.orders.models import Order, OrderLine

TABLES = [Order.table, OrderLine.table]


def forwards(schema):
    for table in TABLES:
        schema.create_table(table)
