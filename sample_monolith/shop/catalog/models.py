"""Products and the categories they are listed in."""

from shop.core.db import Model
from shop.core.money import Money
from django.db import models


class Category(Model):
    name = models.CharField(max_length=100)
    parent = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)

    class Meta:
        db_table = "categories"


class Product(Model):
    sku = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    price_cents = models.IntegerField()
    weight_grams = models.IntegerField(default=0)
    category = models.ForeignKey("Category", null=True, on_delete=models.SET_NULL)

    class Meta:
        db_table = "products"

    @property
    def price(self) -> Money:
        return Money(self.price_cents)
