"""Catalog: category tabs, service cards, their subjects and each subject's form fields."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from servicedesk.core.models import BaseModel

from .icons import CARD_ICONS


class SupportGroup(BaseModel):
    """A team of agents: it serves some cards and receives the tickets of some subjects."""

    name = models.CharField("nome", max_length=120, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="técnicos",
        related_name="support_groups",
        blank=True,
        help_text="Quem pertence a um grupo é técnico: trabalha os chamados na mesa.",
    )
    services = models.ManyToManyField(
        "Service",
        verbose_name="cards atendidos",
        related_name="support_groups",
        blank=True,
        help_text="Os técnicos do grupo veem na mesa os chamados destes cards.",
    )

    class Meta:
        verbose_name = "grupo de atendimento"
        verbose_name_plural = "grupos de atendimento"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(BaseModel):
    """A tab of the home page, e.g. "Atendimentos específicos"."""

    name = models.CharField("nome", max_length=80, unique=True)
    slug = models.SlugField("identificador", max_length=80, unique=True)
    order = models.PositiveSmallIntegerField("ordem", default=0)

    class Meta:
        verbose_name = "categoria"
        verbose_name_plural = "categorias"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Service(BaseModel):
    """A card of the catalog, e.g. "SIOP Emendas Parlamentares"."""

    slug = models.SlugField(
        "identificador",
        max_length=80,
        unique=True,
        help_text="Endereço do card: /servicos/identificador/ (o SIOP aponta seus menus para ele).",
    )
    title = models.CharField("título", max_length=120)
    short_description = models.CharField("descrição curta", max_length=240)
    icon = models.CharField(
        "ícone", max_length=60, choices=CARD_ICONS, default="fas fa-question-circle"
    )
    category = models.ForeignKey(
        Category, verbose_name="categoria", on_delete=models.PROTECT, related_name="services"
    )
    order = models.PositiveSmallIntegerField("ordem", default=0)
    is_active = models.BooleanField("ativo", default=True)

    class Meta:
        verbose_name = "card de atendimento"
        verbose_name_plural = "cards de atendimento"
        ordering = ["order", "title"]
        indexes = [models.Index(fields=["is_active", "category", "order"])]

    def __str__(self) -> str:
        return self.title


class Subject(BaseModel):
    """A topic inside a card; owns the form of essential data and routes tickets to a group."""

    service = models.ForeignKey(
        Service, verbose_name="card", on_delete=models.CASCADE, related_name="subjects"
    )
    name = models.CharField("nome", max_length=160)
    description = models.CharField(
        "orientação", max_length=400, blank=True, help_text="Mostrada acima do formulário."
    )
    order = models.PositiveSmallIntegerField("ordem", default=0)
    is_active = models.BooleanField("ativo", default=True)
    support_group = models.ForeignKey(
        SupportGroup,
        verbose_name="grupo que recebe os chamados",
        on_delete=models.PROTECT,
        related_name="subjects",
    )

    class Meta:
        verbose_name = "assunto"
        verbose_name_plural = "assuntos"
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["service", "is_active", "order"])]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    SHORT_TEXT = "short_text", "Texto curto"
    LONG_TEXT = "long_text", "Texto longo"
    NUMBER = "number", "Número"
    DATE = "date", "Data"
    SINGLE_CHOICE = "single_choice", "Escolha única"
    MULTIPLE_CHOICE = "multiple_choice", "Múltipla escolha"
    CHECKBOX = "checkbox", "Caixa de marcação"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Telefone"
    CPF = "cpf", "CPF"
    CNPJ = "cnpj", "CNPJ"


CHOICE_TYPES = {FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE}
PATTERN_TYPES = {FieldType.SHORT_TEXT, FieldType.LONG_TEXT}

FIELD_CHOICES_REQUIRED = "Informe as opções, uma por linha."
FIELD_PATTERN_INVALID = "Expressão regular inválida: {error}."
FIELD_PATTERN_MESSAGE_REQUIRED = (
    "Informe a mensagem de erro mostrada quando o padrão não for atendido."
)
FIELD_CONDITION_OTHER_SUBJECT = "O campo da condição deve ser do mesmo assunto e vir antes deste."
FIELD_CONDITION_VALUE_REQUIRED = "Informe o valor que faz este campo aparecer."


class FormField(BaseModel):
    """One question of a subject's form of essential data."""

    subject = models.ForeignKey(
        Subject, verbose_name="assunto", on_delete=models.CASCADE, related_name="fields"
    )
    label = models.CharField("rótulo", max_length=160)
    field_type = models.CharField("tipo", max_length=20, choices=FieldType.choices)
    help_text = models.CharField("texto de ajuda", max_length=300, blank=True)
    required = models.BooleanField("obrigatório", default=False)
    order = models.PositiveSmallIntegerField("ordem", default=0)
    choices = models.TextField(
        "opções", blank=True, help_text="Para escolha única ou múltipla: uma opção por linha."
    )
    pattern = models.CharField(
        "padrão de validação",
        max_length=300,
        blank=True,
        help_text="Expressão regular que o texto inteiro deve atender (opcional).",
    )
    pattern_message = models.CharField("mensagem quando o padrão falha", max_length=200, blank=True)
    condition_field = models.ForeignKey(
        "self",
        verbose_name="mostrar somente quando o campo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependent_fields",
    )
    condition_value = models.CharField("tiver o valor", max_length=160, blank=True)

    class Meta:
        verbose_name = "campo do formulário"
        verbose_name_plural = "campos do formulário"
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["subject", "order"])]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def form_name(self) -> str:
        """The name of this field in the built form (stable while the field exists)."""
        return f"campo_{self.pk}"

    def clean(self):
        errors = {}
        if self.field_type in CHOICE_TYPES and not self.choice_list:
            errors["choices"] = FIELD_CHOICES_REQUIRED
        if self.pattern:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                errors["pattern"] = FIELD_PATTERN_INVALID.format(error=exc)
            if not self.pattern_message:
                errors["pattern_message"] = FIELD_PATTERN_MESSAGE_REQUIRED
        if self.condition_field_id:
            controller = self.condition_field
            same_subject = controller.subject_id == self.subject_id
            earlier = (controller.order, controller.pk or 0) < (self.order, self.pk or 1 << 62)
            if not same_subject or not earlier or controller.pk == self.pk:
                errors["condition_field"] = FIELD_CONDITION_OTHER_SUBJECT
            if not self.condition_value.strip():
                errors["condition_value"] = FIELD_CONDITION_VALUE_REQUIRED
        if errors:
            raise ValidationError(errors)
