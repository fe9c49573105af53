"""Customer accounts and their addresses. `User` is the project's AUTH_USER_MODEL."""

from shop.core.db import Model
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        db_table = "users"


class Address(Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="addresses", on_delete=models.CASCADE)
    street = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2)

    class Meta:
        db_table = "addresses"

    def one_line(self):
        return f"{self.street}, {self.city}, {self.country}"
