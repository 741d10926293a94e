"""Password login by CPF whose failures cost the same whatever the account's password hash."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import get_hasher, identify_hasher, is_password_usable
from django.core.exceptions import PermissionDenied

# SIOP sends PBKDF2 hashes (its own hasher): the failure path always does its work too.
IMPORTED_HASH_ALGORITHM = "pbkdf2_sha256"


def _algorithm(encoded: str) -> str | None:
    if not encoded or not is_password_usable(encoded):
        return None
    try:
        return identify_hasher(encoded).algorithm
    except ValueError:
        return None


def login_failure_equalise(password: str, encoded: str, checked_with: str | None) -> None:
    """Finish a failed password check so that it costs what every other failure costs: one
    run of the default hasher (Argon2) and one of PBKDF2 at Django's iteration count.

    `checked_with` is the algorithm whose verification already ran (None for an unknown CPF
    or an account without a usable password). Without this, a wrong password for an account
    with an imported PBKDF2 hash took ~640 ms and an unknown CPF ~460 ms, telling which CPFs
    have accounts and where their hashes came from (issue 15, item 5). Django closes that gap
    only between work factors of the same algorithm (`harden_runtime`), never across them.
    """
    for algorithm in dict.fromkeys((get_hasher().algorithm, IMPORTED_HASH_ALGORITHM)):
        hasher = get_hasher(algorithm)
        if algorithm == checked_with:
            # Verified already, maybe at a lower work factor: pad up to the current one.
            hasher.harden_runtime(password, encoded)
        else:
            hasher.encode(password, hasher.salt())


class EqualCostModelBackend(ModelBackend):
    """Django's ModelBackend (CPF as the username, inactive users refused, imported hashes
    rehashed with the default hasher at a successful login), with failures that all cost the
    same: see login_failure_equalise.

    A failed CPF and password raises PermissionDenied, which ends authenticate() there (and
    still counts as a failure for django-axes): the backends listed after it, kept for the
    sessions they opened, never check the same password a second time."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist:
            user = None
        checked_with = _algorithm(user.password) if user is not None else None
        if checked_with is not None and user.check_password(password):
            if self.user_can_authenticate(user):
                return user
            # Inactive: the same answer, and the same cost, as a wrong password. The hash is
            # the default's now (check_password upgraded it), so pad as for that algorithm.
            checked_with = _algorithm(user.password)
        login_failure_equalise(password, user.password if user else "", checked_with)
        raise PermissionDenied
