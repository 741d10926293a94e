"""Account writes. SIOP owns users and passwords; the portal mirrors them through here."""

from dataclasses import dataclass

from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from servicedesk.core.errors import ApplicationError

from .cpf import clean_cpf
from .models import GovbrTrustLevel, User, UserOrigin

SYNC_NAME_REQUIRED = "Informe o nome completo."
SYNC_EMAIL_INVALID = "Informe um endereço de e-mail válido."
SYNC_BOTH_PASSWORDS = "Envie a senha ou o hash da senha, não os dois."
SYNC_HASH_UNKNOWN = "Hash de senha em formato desconhecido: use um hash no formato do Django."
SYNC_HASH_MALFORMED = "Hash de senha malformado."


@dataclass(frozen=True)
class SyncResult:
    user: User
    created: bool


def _validated_password_hash(password_hash: str) -> str:
    try:
        hasher = identify_hasher(password_hash)
    except ValueError:
        raise ApplicationError(SYNC_HASH_UNKNOWN, field="password_hash") from None
    try:
        # decode() parses every part of the hash; a truncated or garbled one fails here,
        # not at the user's next login.
        hasher.decode(password_hash)
    except (ValueError, TypeError, IndexError):
        raise ApplicationError(SYNC_HASH_MALFORMED, field="password_hash") from None
    return password_hash


def user_sync_from_siop(
    *,
    cpf: str,
    name: str,
    email: str = "",
    active: bool = True,
    password: str | None = None,
    password_hash: str | None = None,
) -> SyncResult:
    """Create or update the mirror of a SIOP account.

    Without a password or hash, a new account gets an unusable password (gov.br login still
    works) and an existing one keeps its password. Deactivation ends the user's sessions at
    their next request, because the authentication backend refuses inactive users.
    """
    try:
        cpf = clean_cpf(cpf)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field="cpf") from None
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(SYNC_NAME_REQUIRED, field="name")
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(SYNC_EMAIL_INVALID, field="email") from None
    if password and password_hash:
        raise ApplicationError(SYNC_BOTH_PASSWORDS, field="password")
    if password_hash:
        password_hash = _validated_password_hash(password_hash)

    with transaction.atomic():
        user = User.objects.select_for_update().filter(cpf=cpf).first()
        created = user is None
        if created:
            user = User(cpf=cpf)
        user.full_name = name
        user.email = User.objects.normalize_email(email)
        user.is_active = active
        user.origin = UserOrigin.SIOP
        if password:
            user.set_password(password)
        elif password_hash:
            user.password = password_hash
        elif created:
            user.set_unusable_password()
        user.save()
    return SyncResult(user=user, created=created)


def user_record_govbr_login(*, user: User, trust_level: GovbrTrustLevel | str | None) -> User:
    """Remember that `user` just came in through gov.br, and at which trust level.

    Only the two gov.br fields are written, so a SIOP sync running at the same moment
    keeps its name, e-mail and active flag.
    """
    user.govbr_last_login_at = timezone.now()
    user.govbr_trust_level = trust_level or ""
    user.save(update_fields=["govbr_last_login_at", "govbr_trust_level", "updated_at"])
    return user


def user_preferences_update(*, actor: User, email_optional_notifications: bool) -> User:
    """The actor's own preferences ("Minhas preferências"); only that column is written, so
    a SIOP sync running at the same moment keeps its name, e-mail and active flag."""
    actor.email_optional_notifications = email_optional_notifications
    actor.save(update_fields=["email_optional_notifications", "updated_at"])
    return actor
