"""The models source: small literal Django and SQLAlchemy repos, read with `ast` only, no mocks."""

from __future__ import annotations

import random

from decomposer.model import AnalysisWarning, SourceModule
from decomposer.model import Table
from decomposer.sources.models import scan_models

DJANGO = {
    "shop/__init__.py": "",
    "shop/settings.py": 'DEBUG = False\nAUTH_USER_MODEL = "people.Member"\n',
    "shop/accounts/__init__.py": "",
    "shop/accounts/apps.py": (
        "from django.apps import AppConfig\n"
        "\n"
        "\n"
        "class AccountsConfig(AppConfig):\n"
        '    name = "shop.accounts"\n'
        '    label = "people"\n'
    ),
    "shop/accounts/models.py": (
        "from django.contrib.auth.models import AbstractUser\n"
        "from django.db import models\n"
        "\n"
        "\n"
        "class Member(AbstractUser):\n"
        '    team = models.ForeignKey("Team", on_delete=models.CASCADE, related_name="members")\n'
        "\n"
        "\n"
        "class Team(models.Model):\n"
        "    name = models.CharField(max_length=50)\n"
    ),
    "shop/catalog/__init__.py": "",
    "shop/catalog/models/__init__.py": "from .base import Stamped\nfrom .products import *\n",
    "shop/catalog/models/base.py": (
        "from django.conf import settings\n"
        "from django.db import models\n"
        "\n"
        "\n"
        "class Stamped(models.Model):\n"
        "    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"
        "\n"
        "    class Meta:\n"
        "        abstract = True\n"
    ),
    "shop/catalog/models/products.py": (
        "from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation\n"
        "from django.db.models import CASCADE, ForeignKey, ManyToManyField, Model\n"
        "from taggit.managers import TaggableManager\n"
        "\n"
        "from .base import Stamped\n"
        "\n"
        "\n"
        "class Product(Stamped):\n"
        '    parent = ForeignKey("self", null=True, on_delete=CASCADE)\n'
        '    tags = ManyToManyField("catalog.Tag", through="ProductTag")\n'
        '    notes = GenericRelation("catalog.Note")\n'
        "    labels = TaggableManager()\n"
        "\n"
        "\n"
        "class Tag(Model):\n"
        "    class Meta:\n"
        '        db_table = "tag"\n'
        "\n"
        "\n"
        "class ProductTag(Model):\n"
        "    product = ForeignKey(Product, on_delete=CASCADE)\n"
        "    tag = ForeignKey(to=Tag, on_delete=CASCADE)\n"
        "\n"
        "\n"
        "class Note(Model):\n"
        "    content_object = GenericForeignKey()\n"
    ),
    "shop/orders/__init__.py": "",
    "shop/orders/models.py": (
        "import django.db.models\n"
        "from django.db import models\n"
        "from shop.catalog.models import Product\n"
        "\n"
        "\n"
        "class Order(django.db.models.Model):\n"
        '    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="orders")\n'
        '    buyer = models.ForeignKey("people.Member", on_delete=models.CASCADE)\n'
        '    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE)\n'
        "\n"
        "\n"
        "class RushOrder(Order):\n"
        "    pass\n"
        "\n"
        "\n"
        "class OrderView(Order):\n"
        "    class Meta:\n"
        "        proxy = True\n"
        '        app_label = "reports"\n'
    ),
    "shop/orders/services.py": (
        "from django.apps import apps\n"
        "from django.db import transaction\n"
        "from django.db.models import F\n"
        "\n"
        "from shop.catalog.models import Product\n"
        "from shop.orders.models import Order\n"
        "\n"
        "\n"
        "@transaction.atomic\n"
        "def place(member, product):\n"
        "    Order.objects.create(buyer=member, product=product)\n"
        '    Product.objects.filter(pk=product.pk).update(stock=F("stock") - 1)\n'
        "\n"
        "\n"
        "def report():\n"
        '    team = apps.get_model("people", "Team")\n'
        "    with transaction.atomic():\n"
        '        rows = Order.objects.filter(buyer__team__name="x").select_related("product__created_by")\n'
        '    return team, rows, apps.get_model("catalog.tag")\n'
    ),
}
SQLALCHEMY = {
    "blog/__init__.py": "",
    "blog/db.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "blog/models.py": (
        "from blog.db import db\n"
        "\n"
        "tags_posts = db.Table(\n"
        '    "tags_posts",\n'
        '    db.Column("tag_id", db.Integer, db.ForeignKey("tag.id")),\n'
        '    db.Column("post_id", db.Integer, db.ForeignKey("posts.id")),\n'
        ")\n"
        "\n"
        "\n"
        "class User(db.Model):\n"
        '    __tablename__ = "users"\n'
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "\n"
        "\n"
        "class Admin(User):\n"
        '    __mapper_args__ = {"polymorphic_identity": "admin"}\n'
        "\n"
        "\n"
        "class Post(db.Model):\n"
        '    __tablename__ = "posts"\n'
        "    id = db.Column(db.Integer, primary_key=True)\n"
        '    author_id = db.Column(db.Integer, db.ForeignKey("users.id"))\n'
        '    author = db.relationship("User", backref="posts")\n'
        '    tags = db.relationship("Tag", secondary=tags_posts)\n'
        "\n"
        "\n"
        "class Tag(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "\n"
        "\n"
        "class PostRevision(Post):\n"
        '    id = db.Column(db.Integer, db.ForeignKey("posts.id"), primary_key=True)\n'
    ),
    "blog/audit.py": (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n"
        "\n"
        "\n"
        "class Base(DeclarativeBase):\n"
        "    pass\n"
        "\n"
        "\n"
        "class AuditEntry(Base):\n"
        '    __tablename__ = "audit_entries"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        '    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))\n'
        '    account_id = Column(Integer, ForeignKey("accounts.id"))\n'
        '    reviewer: Mapped["Reviewer"] = relationship()\n'
        "\n"
        "\n"
        "class Reviewer(Base):\n"
        '    __tablename__ = "reviewers"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    ),
    "blog/legacy.py": (
        "from sqlalchemy import Column, Integer\n"
        "from sqlalchemy.orm import declarative_base\n"
        "\n"
        "Base = declarative_base()\n"
        "\n"
        "\n"
        "class Setting(Base):\n"
        '    __tablename__ = "settings"\n'
        "    id = Column(Integer, primary_key=True)\n"
        "\n"
        "\n"
        "class Nameless(Base):\n"
        "    id = Column(Integer, primary_key=True)\n"
    ),
    "blog/views.py": (
        "from sqlalchemy import select\n"
        "\n"
        "from blog.audit import AuditEntry\n"
        "from blog.db import db\n"
        "from blog.models import Post, Tag, User\n"
        "\n"
        "\n"
        "def page():\n"
        "    posts = Post.query.filter_by(id=1).all()\n"
        "    with db.session.begin():\n"
        "        db.session.add(Tag())\n"
        "        db.session.execute(select(AuditEntry).join(User))\n"
        "    return posts\n"
    ),
}


def _modules(files: dict[str, str | bytes]) -> tuple[SourceModule, ...]:
    """SourceModule records for the .py files, as the code source would make them."""
    records = []
    for path in files:
        parts = path.removesuffix(".py").split("/")
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        records.append(SourceModule(module, path, 1, is_package))
    return tuple(records)


def _scan(make_repo, files: dict[str, str | bytes], **options):
    return scan_models(make_repo(files), _modules(files), **options)


def _links(scan, *kinds: str) -> list[tuple]:
    return [(link.kind, link.source, link.target, link.path, link.line, link.field, link.through)
            for link in scan.links if link.kind in kinds]


def _django_table(model, table, app, module, path, line, kind, parent=""):
    return Table(model, table, app, module, path, line, kind, "django", parent)


def _external(model: str) -> Table:
    return Table(model, "", model.partition(".")[0], "", "", 0, "external", "django")


PRODUCTS = ("shop.catalog.models.products", "shop/catalog/models/products.py")
ORDERS = ("shop.orders.models", "shop/orders/models.py")
SERVICES = "shop/orders/services.py"


def test_django_tables_have_app_labels_kinds_and_table_names(make_repo):
    scan = _scan(make_repo, DJANGO)
    assert scan.tables == (
        _django_table("catalog.Note", "catalog_note", "catalog", *PRODUCTS, 25, "concrete"),
        _django_table("catalog.Product", "catalog_product", "catalog", *PRODUCTS, 8, "concrete"),
        _django_table("catalog.ProductTag", "catalog_producttag", "catalog", *PRODUCTS, 20, "concrete"),
        _django_table("catalog.Stamped", "", "catalog", "shop.catalog.models.base",
                      "shop/catalog/models/base.py", 5, "abstract"),
        _django_table("catalog.Tag", "tag", "catalog", *PRODUCTS, 15, "concrete"),
        _external("contenttypes.ContentType"),
        _django_table("orders.Order", "orders_order", "orders", *ORDERS, 6, "concrete"),
        _django_table("orders.RushOrder", "orders_rushorder", "orders", *ORDERS, 12, "concrete"),
        # AppConfig.label renames the app; AbstractUser makes Member a model
        _django_table("people.Member", "people_member", "people", "shop.accounts.models",
                      "shop/accounts/models.py", 5, "concrete"),
        _django_table("people.Team", "people_team", "people", "shop.accounts.models",
                      "shop/accounts/models.py", 9, "concrete"),
        # a proxy shares its parent's table, whatever its app_label
        _django_table("reports.OrderView", "orders_order", "reports", *ORDERS, 16, "proxy", "orders.Order"),
        _external("sites.Site"),
        _external("taggit.Tag"),
    )
    assert scan.warnings == ()


def test_django_relations_resolve_every_kind_of_target_and_keep_file_and_line(make_repo):
    scan = _scan(make_repo, DJANGO)
    assert _links(scan, "fk", "o2o", "m2m", "inherit", "generic") == [
        ("fk", "catalog.Product", "catalog.Product", PRODUCTS[1], 9, "parent", ""),  # "self"
        # copied from the abstract base, where it is written; settings.AUTH_USER_MODEL
        ("fk", "catalog.Product", "people.Member", "shop/catalog/models/base.py", 6, "created_by", ""),
        ("fk", "catalog.ProductTag", "catalog.Product", PRODUCTS[1], 21, "product", ""),  # a class
        ("fk", "catalog.ProductTag", "catalog.Tag", PRODUCTS[1], 22, "tag", ""),  # to=
        # a class imported through the package's re-export of `from .products import *`
        ("fk", "orders.Order", "catalog.Product", ORDERS[1], 7, "product", ""),
        ("fk", "orders.Order", "people.Member", ORDERS[1], 8, "buyer", ""),  # "app_label.Model"
        ("fk", "orders.Order", "sites.Site", ORDERS[1], 9, "site", ""),  # outside the code
        ("fk", "people.Member", "people.Team", "shop/accounts/models.py", 6, "team", ""),  # bare "Model"
        ("generic", "catalog.Note", "contenttypes.ContentType", PRODUCTS[1], 26, "content_object", ""),
        ("generic", "catalog.Product", "catalog.Note", PRODUCTS[1], 11, "notes", ""),
        ("generic", "catalog.Product", "taggit.Tag", PRODUCTS[1], 12, "labels", ""),
        ("inherit", "orders.RushOrder", "orders.Order", ORDERS[1], 12, "", ""),  # multi-table
        ("inherit", "reports.OrderView", "orders.Order", ORDERS[1], 16, "", ""),  # proxy
        ("m2m", "catalog.Product", "catalog.Tag", PRODUCTS[1], 10, "tags", "catalog.ProductTag"),
    ]


def test_django_queries_follow_managers_lookups_and_get_model(make_repo):
    scan = _scan(make_repo, DJANGO)
    source = "shop.orders.services"
    assert _links(scan, "query") == [
        ("query", source, "catalog.Product", SERVICES, 12, "objects", ""),
        ("query", source, "catalog.Product", SERVICES, 18, "product", ""),
        ("query", source, "catalog.Tag", SERVICES, 19, "get_model", ""),  # "catalog.tag"
        ("query", source, "orders.Order", SERVICES, 11, "objects", ""),
        ("query", source, "orders.Order", SERVICES, 18, "objects", ""),
        ("query", source, "people.Member", SERVICES, 18, "buyer", ""),
        # select_related loads the last hop too; filter(buyer__team__name=...) reads Team, not Member's key
        ("query", source, "people.Member", SERVICES, 18, "product__created_by", ""),
        ("query", source, "people.Team", SERVICES, 16, "get_model", ""),
        ("query", source, "people.Team", SERVICES, 18, "buyer__team", ""),
    ]


def test_atomic_blocks_that_touch_two_apps_are_transactions(make_repo):
    scan = _scan(make_repo, DJANGO)
    source = "shop.orders.services"
    assert _links(scan, "transaction") == [
        ("transaction", source, "catalog.Product", SERVICES, 9, "place", ""),  # @transaction.atomic
        ("transaction", source, "catalog.Product", SERVICES, 17, "report", ""),  # with transaction.atomic()
        ("transaction", source, "orders.Order", SERVICES, 9, "place", ""),
        ("transaction", source, "orders.Order", SERVICES, 17, "report", ""),
        ("transaction", source, "people.Member", SERVICES, 17, "report", ""),
        ("transaction", source, "people.Team", SERVICES, 17, "report", ""),
    ]


def test_an_atomic_block_within_one_app_is_no_transaction_link(make_repo):
    files = {**DJANGO, "shop/orders/services.py": (
        "from django.db.transaction import atomic\n"
        "from shop.orders.models import Order, RushOrder\n"
        "\n"
        "\n"
        "@atomic\n"
        "def rush(order):\n"
        "    Order.objects.filter(pk=order.pk).delete()\n"
        "    RushOrder.objects.create()\n"
    )}
    assert _links(_scan(make_repo, files), "transaction") == []


def test_auth_user_model_defaults_to_auth_user_and_can_be_given(make_repo):
    files = {**DJANGO, "shop/settings.py": "DEBUG = False\n"}
    scan = _scan(make_repo, files)
    assert ("fk", "catalog.Product", "auth.User", "shop/catalog/models/base.py", 6, "created_by", "") in \
        _links(scan, "fk")
    assert _external("auth.User") in scan.tables
    given = scan_models(make_repo(files, name="given"), _modules(files), auth_user_model="people.member")
    assert ("fk", "catalog.Product", "people.Member", "shop/catalog/models/base.py", 6, "created_by", "") in \
        _links(given, "fk")


def test_auth_user_model_is_read_from_settings_outside_the_packages(make_repo):
    files = {**DJANGO, "shop/settings.py": "DEBUG = False\n"}
    repo = make_repo({**files, "conf/settings/base.py": 'AUTH_USER_MODEL = "people.Member"\n'})
    scan = scan_models(repo, _modules(files))
    assert ("fk", "catalog.Product", "people.Member", "shop/catalog/models/base.py", 6, "created_by", "") in \
        _links(scan, "fk")


def test_odd_model_code_is_a_warning_never_a_crash(make_repo):
    files = {
        **DJANGO,
        "shop/broken/__init__.py": "",
        "shop/broken/models.py": "from django.db import models\n\nclass Broken(models.Model:\n    pass\n",
        "shop/broken/blob.py": b"\x89PNG\r\n\x1a\n\x00\x00",
        "shop/broken/latin.py": b"s = '\xe9t\xe9'\n",
        "shop/odd/__init__.py": "",
        "shop/odd/models.py": (
            "from django.db import models\n"
            "from django.conf import settings\n"
            "\n"
            "\n"
            "class Odd(models.Model, metaclass=type):\n"
            "    owner = models.ForeignKey(pick_target(), on_delete=models.CASCADE)\n"
            "\n"
            "    class Meta:\n"
            '        abstract = "odd" not in settings.INSTALLED_APPS\n'
            "\n"
            "\n"
            "def make_field():\n"
            "    return models.ForeignKey(Odd, on_delete=models.CASCADE)\n"
            "\n"
            "\n"
            'Odd.add_to_class("team", models.ForeignKey("people.Team", on_delete=models.CASCADE))\n'
        ),
    }
    scan = _scan(make_repo, files)
    assert scan.warnings == (
        AnalysisWarning("shop/broken/blob.py",
                        "is a binary file, not Python source; its models and queries are left out"),
        AnalysisWarning("shop/broken/latin.py",
                        "is not text in its declared encoding; its models and queries are left out"),
        AnalysisWarning("shop/broken/models.py",
                        "does not parse (line 3: invalid syntax); its models and queries are left out"),
        AnalysisWarning("shop/odd/models.py", "line 13: a ForeignKey outside a model's class body "
                                              "(assigned dynamically?) is left out"),
        AnalysisWarning("shop/odd/models.py", "line 6: the target of Odd.owner (ForeignKey) is not a "
                                              "model class, a literal or settings.AUTH_USER_MODEL; left out"),
        AnalysisWarning("shop/odd/models.py", "line 8: Odd.Meta.abstract is not a literal; ignored"),
    )
    assert _django_table("odd.Odd", "odd_odd", "odd", "shop.odd.models", "shop/odd/models.py", 5,
                         "concrete") in scan.tables
    assert ("fk", "odd.Odd", "people.Team", "shop/odd/models.py", 16, "team", "") in _links(scan, "fk")


def test_relation_fields_outside_a_model_are_found_by_any_name_in_djangos_own_code(make_repo):
    # Analysing Django itself, an analysed class under `django.` may be a relation field whatever
    # its name (here `Link`, a ForeignKey subclass); a field counts only in the body of the last
    # class of a name (the one the name is bound to) or added by `add_to_class` with a literal name.
    files = {
        "django/__init__.py": "",
        "django/db/__init__.py": "",
        "django/db/models.py": (
            "class ForeignKey:\n"
            "    pass\n"
            "\n"
            "\n"
            "class Link(ForeignKey):\n"
            "    pass\n"
            "\n"
            "\n"
            "def helper():\n"
            '    return Link("x")\n'
        ),
        "django/contrib/__init__.py": "",
        "django/contrib/things.py": (
            "from mptt.models import MPTTModel\n"
            "from django.db import models\n"
            "from django.db.models import Link\n"
            "\n"
            "\n"
            "class Thing(MPTTModel):\n"
            '    owner = Link("self")\n'
            '    other = models.ForeignKey("x.Y")\n'
            "\n"
            "\n"
            "class Thing(MPTTModel):\n"
            '    again = Link("self")\n'
            "\n"
            "\n"
            'Thing.add_to_class("extra", Link("self"))\n'
            'Thing.add_to_class(name, Link("self"))\n'
        ),
    }
    scan = _scan(make_repo, files)
    stray = "outside a model's class body (assigned dynamically?) is left out"
    assert scan.warnings == (
        AnalysisWarning("django/contrib/things.py", f"line 16: a Link {stray}"),
        AnalysisWarning("django/contrib/things.py", f"line 7: a Link {stray}"),
        AnalysisWarning("django/contrib/things.py", f"line 8: a ForeignKey {stray}"),
        AnalysisWarning("django/db/models.py", f"line 10: a Link {stray}"),
    )
    assert _links(scan, "fk") == [
        ("fk", "contrib.Thing", "contrib.Thing", "django/contrib/things.py", 12, "again", ""),
        ("fk", "contrib.Thing", "contrib.Thing", "django/contrib/things.py", 15, "extra", ""),
    ]


def test_the_scan_is_deterministic_whatever_the_module_order(make_repo):
    repo = make_repo(DJANGO)
    modules = list(_modules(DJANGO))
    first = scan_models(repo, tuple(modules))
    random.Random(7).shuffle(modules)
    assert scan_models(repo, tuple(modules)) == first


def _sqlalchemy_table(model, table, path, line, kind="concrete", parent=""):
    module = model.rpartition(".")[0]
    return Table(model, table, module, module, path, line, kind, "sqlalchemy", parent)


def test_sqlalchemy_tables_declarative_and_flask(make_repo):
    scan = _scan(make_repo, SQLALCHEMY)
    assert scan.tables == (
        Table("accounts", "accounts", "", "", "", 0, "external", "sqlalchemy"),
        _sqlalchemy_table("blog.audit.AuditEntry", "audit_entries", "blog/audit.py", 9),
        _sqlalchemy_table("blog.audit.Reviewer", "reviewers", "blog/audit.py", 17),
        _sqlalchemy_table("blog.legacy.Nameless", "", "blog/legacy.py", 12),
        _sqlalchemy_table("blog.legacy.Setting", "settings", "blog/legacy.py", 7),
        # single-table inheritance: no primary key of its own
        _sqlalchemy_table("blog.models.Admin", "users", "blog/models.py", 15, "proxy", "blog.models.User"),
        _sqlalchemy_table("blog.models.Post", "posts", "blog/models.py", 19),
        # Flask-SQLAlchemy names a table in snake case when __tablename__ is missing
        _sqlalchemy_table("blog.models.PostRevision", "post_revision", "blog/models.py", 31),
        _sqlalchemy_table("blog.models.Tag", "tag", "blog/models.py", 27),
        _sqlalchemy_table("blog.models.User", "users", "blog/models.py", 10),
    )
    assert scan.warnings == (
        AnalysisWarning("blog/legacy.py", "line 12: Nameless has no literal __tablename__ or __table__; "
                                          "foreign keys to its table cannot be matched to it"),
    )


def test_sqlalchemy_links_resolve_foreign_keys_association_tables_and_relationships(make_repo):
    scan = _scan(make_repo, SQLALCHEMY)
    assert _links(scan, "fk", "m2m", "inherit") == [
        ("fk", "blog.audit.AuditEntry", "accounts", "blog/audit.py", 13, "account_id", ""),  # external
        # a relationship with no foreign key behind it
        ("fk", "blog.audit.AuditEntry", "blog.audit.Reviewer", "blog/audit.py", 14, "reviewer", ""),
        ("fk", "blog.audit.AuditEntry", "blog.models.User", "blog/audit.py", 12, "user_id", ""),
        # Post.author = relationship("User") adds nothing: the foreign key already links the pair
        ("fk", "blog.models.Post", "blog.models.User", "blog/models.py", 22, "author_id", ""),
        ("inherit", "blog.models.Admin", "blog.models.User", "blog/models.py", 15, "", ""),
        # joined table: its key to posts is the inherit link, not an fk as well
        ("inherit", "blog.models.PostRevision", "blog.models.Post", "blog/models.py", 31, "", ""),
        ("m2m", "blog.models.Tag", "blog.models.Post", "blog/models.py", 3, "tags_posts", "tags_posts"),
    ]


def test_sqlalchemy_queries_and_session_transactions(make_repo):
    scan = _scan(make_repo, SQLALCHEMY)
    assert _links(scan, "query", "transaction") == [
        ("query", "blog.views", "blog.audit.AuditEntry", "blog/views.py", 12, "select", ""),
        ("query", "blog.views", "blog.models.Post", "blog/views.py", 9, "query", ""),
        ("query", "blog.views", "blog.models.Tag", "blog/views.py", 11, "init", ""),
        ("query", "blog.views", "blog.models.User", "blog/views.py", 12, "join", ""),
        # SQLAlchemy models have no apps: their modules play that part
        ("transaction", "blog.views", "blog.audit.AuditEntry", "blog/views.py", 10, "page", ""),
        ("transaction", "blog.views", "blog.models.Tag", "blog/views.py", 10, "page", ""),
        ("transaction", "blog.views", "blog.models.User", "blog/views.py", 10, "page", ""),
    ]


def test_a_model_classmethod_is_a_query(make_repo):
    files = {**SQLALCHEMY, "blog/views.py": (
        "from blog import models\n"
        "\n"
        "\n"
        "def show():\n"
        "    return models.PostRevision.by_slug('x')\n"
    ), "blog/models.py": SQLALCHEMY["blog/models.py"] + (  # added to the last class, PostRevision
        "\n"
        "    @classmethod\n"
        "    def by_slug(cls, slug):\n"
        "        return cls.query.filter_by(slug=slug).first()\n"
    )}
    scan = _scan(make_repo, files)
    assert _links(scan, "query") == [
        ("query", "blog.views", "blog.models.PostRevision", "blog/views.py", 5, "by_slug", ""),
    ]


def test_reverse_relations_parent_fields_and_custom_managers_are_followed(make_repo):
    files = {**DJANGO, "shop/orders/models.py": DJANGO["shop/orders/models.py"] + (
        "\n"
        "\n"
        "class Refund(models.Model):\n"
        "    order = models.ForeignKey(Order, on_delete=models.CASCADE)\n"
        "    pending = models.Manager()\n"
    ), "shop/orders/services.py": (
        "from shop.catalog import models as catalog\n"
        "from shop.orders.models import Refund, RushOrder\n"
        "\n"
        "\n"
        "def busy_teams():\n"
        '    catalog.Product.objects.filter(orders__buyer__team__name="x")\n'
        '    RushOrder.objects.prefetch_related("product")\n'
        '    Refund.pending.exclude(order__refund__isnull=True)\n'
    )}
    assert _links(_scan(make_repo, files), "query") == [
        ("query", "shop.orders.services", "catalog.Product", SERVICES, 6, "objects", ""),
        # RushOrder has Order's fields (multi-table inheritance)
        ("query", "shop.orders.services", "catalog.Product", SERVICES, 7, "product", ""),
        ("query", "shop.orders.services", "orders.Order", SERVICES, 6, "orders", ""),  # related_name
        ("query", "shop.orders.services", "orders.Order", SERVICES, 8, "order", ""),
        ("query", "shop.orders.services", "orders.Refund", SERVICES, 8, "order__refund", ""),  # default name
        ("query", "shop.orders.services", "orders.Refund", SERVICES, 8, "pending", ""),  # a declared manager
        ("query", "shop.orders.services", "orders.RushOrder", SERVICES, 7, "objects", ""),
        ("query", "shop.orders.services", "people.Member", SERVICES, 6, "orders__buyer", ""),
        ("query", "shop.orders.services", "people.Team", SERVICES, 6, "orders__buyer__team", ""),
    ]


def test_model_classes_are_told_from_look_alikes(make_repo):
    files = {
        "geo/__init__.py": "",
        "geo/models.py": (
            "from django.contrib.gis.db import models\n"
            "from modelcluster.fields import ParentalKey\n"
            "from mptt.fields import TreeForeignKey\n"
            "from pydantic import BaseModel\n"
            "from tree_queries.models import TreeNode\n"
            "\n"
            "\n"
            "class OwnKey(models.ForeignKey):\n"
            "    pass\n"
            "\n"
            "\n"
            "class Region(TreeNode):\n"  # a third-party model base: the Meta says so
            "    class Meta:\n"
            '        ordering = ("name",)\n'
            "\n"
            "\n"
            "class Place(models.Model):\n"  # GIS
            '    region = TreeForeignKey("Region", on_delete=models.CASCADE)\n'
            '    area = ParentalKey(Region, on_delete=models.CASCADE)\n'
            '    capital = OwnKey("self", on_delete=models.CASCADE)\n'
            "\n"
            "\n"
            "class PlaceSchema(BaseModel):\n"  # not a Django model
            "    name: str = Field()\n"
            "\n"
            "\n"
            "class Named:\n"
            "    name = models.CharField(max_length=10)\n"
        ),
    }
    scan = _scan(make_repo, files)
    assert [table.model for table in scan.tables] == ["geo.Place", "geo.Region"]
    assert _links(scan, "fk") == [
        ("fk", "geo.Place", "geo.Place", "geo/models.py", 20, "capital", ""),
        ("fk", "geo.Place", "geo.Region", "geo/models.py", 18, "region", ""),
        ("fk", "geo.Place", "geo.Region", "geo/models.py", 19, "area", ""),
    ]


def test_settings_outside_the_packages_are_read_only_as_plain_files_inside_the_repo(tmp_path):
    import os
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "__init__.py").write_text("")
    (repo / "app" / "models.py").write_text(
        "from django.db import models\nfrom django.conf import settings\n\n"
        "class Note(models.Model):\n    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n")
    outside = tmp_path / "outside_settings.py"
    outside.write_text('AUTH_USER_MODEL = "evil.User"\n')
    (repo / "local_settings.py").symlink_to(outside)
    os.mkfifo(repo / "fifo_settings.py")  # opening it would block forever
    modules = (SourceModule("app", "app/__init__.py", 0, True), SourceModule("app.models", "app/models.py", 4, False))
    scan = scan_models(repo, modules)
    assert [(link.kind, link.source, link.target) for link in scan.links if link.kind == "fk"] == [
        ("fk", "app.Note", "auth.User")]


ROLES = {
    "app/__init__.py": "",
    "app/fields.py": (
        "from django.conf import settings\n"
        "from django.db import models\n"
        "\n"
        "\n"
        "class RoleField(models.ForeignKey):\n"  # as awx's ImplicitRoleField: its target set in __init__
        "    def __init__(self, parent_role=None, *args, **kwargs):\n"
        "        self.parent_role = parent_role\n"
        "        kwargs.setdefault('to', 'Role')\n"
        "        kwargs.setdefault('null', True)\n"
        "        super().__init__(*args, **kwargs)\n"
        "\n"
        "\n"
        "class OwnerField(models.ForeignKey):\n"
        "    def __init__(self, **options):\n"
        "        options['to'] = settings.AUTH_USER_MODEL\n"
        "        super().__init__(**options)\n"
        "\n"
        "\n"
        "class AuditedOwnerField(OwnerField):\n"  # its target is its base's
        "    pass\n"
        "\n"
        "\n"
        "class LooseField(models.ForeignKey):\n"
        "    def __init__(self, target, **kwargs):\n"
        "        kwargs.setdefault('to', target)\n"  # no literal: still left out, with the warning
        "        super().__init__(**kwargs)\n"
    ),
    "app/models.py": (
        "from django.db import models\n"
        "\n"
        "from app.fields import AuditedOwnerField, LooseField, RoleField\n"
        "\n"
        "\n"
        "class Role(models.Model):\n"
        "    name = models.CharField(max_length=10)\n"
        "\n"
        "\n"
        "class Team(models.Model):\n"
        "    admin_role = RoleField(parent_role='x')\n"
        "    owner = AuditedOwnerField()\n"
        "    other = LooseField(target=Role)\n"
        "    chosen = RoleField(to='Team')\n"  # a target given in the call wins
    ),
}


def test_a_field_class_that_sets_its_own_target_links_to_it(make_repo):
    scan = _scan(make_repo, ROLES)
    assert _links(scan, "fk") == [
        ("fk", "app.Team", "app.Role", "app/models.py", 11, "admin_role", ""),  # a bare name: the model's app
        ("fk", "app.Team", "app.Team", "app/models.py", 14, "chosen", ""),
        ("fk", "app.Team", "auth.User", "app/models.py", 12, "owner", ""),
    ]
    assert scan.warnings == (AnalysisWarning("app/models.py", (
        "line 13: the target of Team.other (LooseField) is not a model class, a literal or "
        "settings.AUTH_USER_MODEL; left out")),)


def test_a_field_class_whose_target_changes_is_read_again_through_the_cache(make_repo, tmp_path):
    from decomposer.pipeline.cached import CodeReader

    repo, cache = make_repo(ROLES), tmp_path / "cache"
    modules = _modules(ROLES)
    def admin_role(scan) -> str:  # noqa: ANN001 - a ModelScan
        return next(link.target for link in scan.links if link.field == "admin_role")

    assert admin_role(CodeReader(repo, modules, cache).models(modules)) == "app.Role"
    fields = repo / "app" / "fields.py"
    fields.write_text(fields.read_text().replace("kwargs.setdefault('to', 'Role')", "kwargs.setdefault('to', 'Team')"))
    cached = CodeReader(repo, modules, cache).models(modules)
    assert cached == CodeReader(repo, modules, None).models(modules)
    assert admin_role(cached) == "app.Team"
