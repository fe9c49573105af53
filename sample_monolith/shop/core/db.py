"""Persistence: the abstract base of every stored model, and an in-memory row cache."""

import itertools

from shop.core.errors import NotFound
from django.db import models

_ids = itertools.count(1)


class Model(models.Model):
    """Base class of every stored record: an abstract model, so it has no table of its own."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def cache(self):
        """Keep the row in the in-memory cache that reports read from."""
        if self.id is None:
            self.id = next(_ids)
        Repository.of(type(self)).rows[self.id] = self
        return self


class Repository:
    """All rows of one model, by id."""

    _by_model = {}

    def __init__(self):
        self.rows = {}

    @classmethod
    def of(cls, model):
        return cls._by_model.setdefault(model, cls())

    def get(self, row_id):
        try:
            return self.rows[row_id]
        except KeyError:
            raise NotFound(f"no row {row_id}") from None

    def filter(self, **fields):
        return [row for row in self.rows.values()
                if all(getattr(row, name) == value for name, value in fields.items())]
