"""The shop's use-case tests: Django configured minimally (SQLite in memory, tables made from
the models), the way a team's top-level `tests/` folder runs next to its code.

Not part of the replayed history: decomposer's tests copy this folder next to the replayed
repository and trace it (`pytest -p decomposer.trace`).
"""

import django
import pytest
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shop.accounts", "shop.catalog",
                    "shop.orders", "shop.payments", "shop.shipping"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    AUTH_USER_MODEL="accounts.User",
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
)
django.setup()


@pytest.fixture(scope="session", autouse=True)
def _tables():
    from django.apps import apps
    from django.db import connection

    with connection.schema_editor() as editor:
        for model in apps.get_models():
            editor.create_model(model)


@pytest.fixture(autouse=True)
def _isolated(_tables):
    """Each test in a transaction rolled back after it, with an empty row cache."""
    from django.db import transaction
    from shop.core.db import Repository

    Repository._by_model.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def customer():
    from shop.accounts.models import Address, User

    user = User.objects.create(username="ada", email="ada@example.com", phone="+3312345")
    address = Address.objects.create(user=user, street="1 Rue", city="Paris", country="FR")
    return user, address


@pytest.fixture
def products():
    from shop.catalog.models import Category, Product

    books = Category.objects.create(name="books")
    return (Product.objects.create(sku="B1", name="Dune", price_cents=1200, weight_grams=800, category=books),
            Product.objects.create(sku="B2", name="Emma", price_cents=900, weight_grams=1500, category=books))


def pytest_configure(config):
    config.addinivalue_line("markers", "use_case(name): the business use case a test belongs to")


@pytest.fixture
def paid_order(customer, products):
    """An order of two books, paid by card, as checkout leaves it (stored and in the row cache)."""
    from shop.orders.models import Order, OrderLine
    from shop.payments.models import Payment

    user, _ = customer
    order = Order.objects.create(user=user, status="paid")
    for product, quantity in zip(products, (2, 1)):
        OrderLine.objects.create(order=order, product=product, quantity=quantity, unit_price_cents=product.price_cents)
    payment = Payment.objects.create(order=order, amount_cents=3300, provider="card", reference="ch_0a1b2c")
    order.payment_id = payment.id
    order.cache()
    payment.cache()
    return order, payment
