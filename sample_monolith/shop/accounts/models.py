"""Customer accounts and their addresses."""

from shop.core.db import Model


class User(Model):
    table = "users"

    def __init__(self, email, name, is_staff=False, **fields):
        super().__init__(email=email, name=name, is_staff=is_staff, **fields)


class Address(Model):
    table = "addresses"

    def __init__(self, user_id, street, city, country, **fields):
        super().__init__(user_id=user_id, street=street, city=city, country=country, **fields)

    def one_line(self):
        return f"{self.street}, {self.city}, {self.country}"
