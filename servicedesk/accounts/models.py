"""The portal's user: one account per CPF, mirrored from SIOP or created locally."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models

from servicedesk.core.models import BaseModel

from .cpf import clean_cpf, format_cpf, validate_cpf


class UserOrigin(models.TextChoices):
    SIOP = "siop", "SIOP"
    LOCAL = "local", "Local"


class GovbrTrustLevel(models.TextChoices):
    """gov.br account levels, lowest first (the order matters for the minimum-level check)."""

    BRONZE = "bronze", "Bronze"
    SILVER = "silver", "Prata"
    GOLD = "gold", "Ouro"


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username):
        # Logins and the admin pass whatever was typed; a malformed CPF simply matches nobody.
        try:
            cpf = clean_cpf(username)
        except ValidationError:
            raise self.model.DoesNotExist from None
        return self.get(cpf=cpf)

    def create_user(self, cpf, password=None, **extra_fields):
        user = self.model(cpf=clean_cpf(cpf), **extra_fields)
        user.email = self.normalize_email(user.email)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, cpf, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(cpf, password, **extra_fields)


class User(BaseModel, AbstractBaseUser, PermissionsMixin):
    cpf = models.CharField(
        "CPF",
        max_length=11,
        unique=True,
        validators=[validate_cpf],
        help_text="11 dígitos, sem pontuação.",
    )
    full_name = models.CharField("nome completo", max_length=200)
    email = models.EmailField("e-mail", blank=True)
    is_active = models.BooleanField(
        "ativo", default=True, help_text="Desmarque para bloquear o acesso sem apagar a conta."
    )
    is_supervisor = models.BooleanField(
        "supervisor do atendimento",
        default=False,
        help_text="Vê todos os chamados na mesa, pode fechá-los e consulta os relatórios.",
    )
    is_staff = models.BooleanField(
        "acesso à administração",
        default=False,
        help_text="Permite entrar na administração do portal.",
    )
    origin = models.CharField(
        "origem", max_length=10, choices=UserOrigin.choices, default=UserOrigin.LOCAL
    )
    # "Minhas preferências": reminders and survey invitations; replies always go out.
    email_optional_notifications = models.BooleanField(
        "receber e-mails opcionais",
        default=True,
        help_text="Lembretes antes da resolução automática e convites para avaliar o atendimento.",
    )
    # The link to gov.br: set at each login through gov.br, never used to create accounts.
    govbr_last_login_at = models.DateTimeField("último acesso pelo gov.br", null=True, blank=True)
    govbr_trust_level = models.CharField(
        "nível da conta gov.br",
        max_length=10,
        choices=GovbrTrustLevel.choices,
        blank=True,
        help_text="Nível informado pelo gov.br no último acesso.",
    )

    objects = UserManager()

    USERNAME_FIELD = "cpf"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "usuário"
        verbose_name_plural = "usuários"
        ordering = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.cpf_formatted})"

    @property
    def cpf_formatted(self) -> str:
        return format_cpf(self.cpf)

    @property
    def manages_password_in_siop(self) -> bool:
        return self.origin == UserOrigin.SIOP

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ", 1)[0] if self.full_name else self.cpf_formatted
