"""HTTP views for accounts."""

import secrets

from shop.accounts import auth
from shop.accounts.models import User
from shop.core.utils import slugify
from shop.notifications.service import notify


def login(request):
    token = auth.login(request["email"], request["password"])
    return {"token": token}


def register(request):
    salt = secrets.token_hex(8)
    user = User(email=request["email"], name=request["name"], salt=salt,
                password_hash=auth.hash_password(request["password"], salt)).save()
    notify(user, "welcome", handle=slugify(user.name))
    return {"id": user.id}
