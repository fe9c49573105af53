"""A tiny in-memory persistence layer standing in for the ORM."""

import itertools

from shop.core.errors import NotFound

_ids = itertools.count(1)


class Model:
    """Base class of every stored record."""

    table = "model"

    def __init__(self, **fields):
        self.id = None
        for name, value in fields.items():
            setattr(self, name, value)

    def save(self):
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
