"""Who may do what."""

from shop.accounts.models import User
from shop.core.errors import PermissionDenied


def require_staff(user: User):
    if not user.is_staff:
        raise PermissionDenied("staff only")


def require_owner(user: User, record):
    if getattr(record, "user_id", None) != user.id and not user.is_staff:
        raise PermissionDenied("not yours")
