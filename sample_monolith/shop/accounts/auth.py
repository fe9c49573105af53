"""Logins: password checks and sessions."""

import hashlib
import secrets

from shop import settings
from shop.accounts.models import User
from shop.core.db import Repository
from shop.core.errors import PermissionDenied

_sessions = {}


def hash_password(password, salt):
    return hashlib.sha256((salt + password).encode()).hexdigest()


def login(email, password):
    users = Repository.of(User).filter(email=email)
    if not users or users[0].password_hash != hash_password(password, users[0].salt):
        raise PermissionDenied("wrong email or password")
    token = secrets.token_hex(16)
    _sessions[token] = users[0].id
    return token


def current_user(token):
    user_id = _sessions.get(token)
    if user_id is None:
        raise PermissionDenied("not logged in" if not settings.DEBUG else f"no session {token}")
    return Repository.of(User).get(user_id)
