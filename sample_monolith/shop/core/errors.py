"""Errors every app raises and every view turns into a response."""


class ShopError(Exception):
    status = 400


class NotFound(ShopError):
    status = 404


class PermissionDenied(ShopError):
    status = 403


class ValidationError(ShopError):
    status = 422
