"""Tickets, their timeline (also the audit log) and their attachments."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from servicedesk.catalog.models import Service, Subject, SupportGroup
from servicedesk.core.models import BaseModel

from .status import Status, WaitingOn


class Ticket(BaseModel):
    # The number people quote ("chamado 1234") is the primary key itself.
    number = models.BigAutoField("número", primary_key=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="requerente",
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    service = models.ForeignKey(
        Service, verbose_name="card", on_delete=models.PROTECT, related_name="tickets"
    )
    subject = models.ForeignKey(
        Subject, verbose_name="assunto", on_delete=models.PROTECT, related_name="tickets"
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.NEW)
    waiting_on = models.CharField(
        "aguardando", max_length=20, choices=WaitingOn.choices, blank=True, default=""
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="técnico",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    assigned_group = models.ForeignKey(
        SupportGroup,
        verbose_name="grupo",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    last_interaction_at = models.DateTimeField("última interação", default=timezone.now)
    # The first public answer of the team (reply, request for information or solution):
    # kept on the row so reports aggregate it without scanning the timeline.
    first_response_at = models.DateTimeField("primeira resposta em", null=True, blank=True)
    # When the "automatic resolution in 2 days" reminder went out; a later interaction makes
    # the ticket eligible for a new one.
    reminder_sent_at = models.DateTimeField("lembrete enviado em", null=True, blank=True)
    resolved_at = models.DateTimeField("resolvido em", null=True, blank=True)
    closed_at = models.DateTimeField("fechado em", null=True, blank=True)
    # Label/value pairs in field order, as the requester saw them: later edits of the form
    # never rewrite history.
    answers = models.JSONField("dados essenciais", default=list, blank=True)

    class Meta:
        verbose_name = "chamado"
        verbose_name_plural = "chamados"
        ordering = ["-last_interaction_at"]
        indexes = [
            models.Index(fields=["requester", "status"]),
            models.Index(fields=["requester", "-last_interaction_at"]),
            models.Index(fields=["status", "assigned_group"]),
            models.Index(fields=["assigned_agent", "status"]),
            models.Index(fields=["status", "last_interaction_at"]),
            models.Index(fields=["status", "resolved_at"]),
            # The desk's most used filter: a card's tickets in a status, and their count,
            # read from the index alone (PostgreSQL) with the columns visibility checks;
            # sorted by opening date, a page is read in order instead of by filtering the
            # date index (0.95 -> 0.38 ms on a million tickets).
            models.Index(
                fields=["service", "status", "created_at"],
                include=["assigned_group", "assigned_agent"],
                name="tickets_card_status_opened_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject.name if self.subject_id else ''}".strip()

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    @property
    def state(self):
        return (Status(self.status), WaitingOn(self.waiting_on) if self.waiting_on else None)


class EntryKind(models.TextChoices):
    OPENED = "opened", "Abertura"
    MESSAGE = "message", "Mensagem"
    NOTE = "note", "Nota privada"
    STATUS_CHANGE = "status_change", "Mudança de status"
    ASSIGNMENT = "assignment", "Atribuição"
    SOLUTION = "solution", "Solução"
    APPROVAL = "approval", "Aprovação da solução"
    REFUSAL = "refusal", "Recusa da solução"
    REOPENING = "reopening", "Reabertura"
    REMINDER = "reminder", "Lembrete"


class TimelineEntry(BaseModel):
    """One event on a ticket: messages, notes, solutions and every status change."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField("tipo", max_length=20, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="autor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vazio quando a mudança foi automática.",
    )
    body_html = models.TextField("texto (HTML sanitizado)", blank=True)
    body_text = models.TextField("texto simples", blank=True)
    payload = models.JSONField("dados", default=dict, blank=True)
    is_private = models.BooleanField("privada", default=False)

    class Meta:
        verbose_name = "registro da linha do tempo"
        verbose_name_plural = "registros da linha do tempo"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} em #{self.ticket_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the original one is kept in the row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(BaseModel):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(
        TimelineEntry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField("arquivo", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("nome original", max_length=180)
    size = models.PositiveBigIntegerField("tamanho (bytes)")
    content_type = models.CharField("tipo de conteúdo", max_length=120)
    sha256 = models.CharField("SHA-256", max_length=64)
    # An image pasted into a message: uploaded before the message exists, linked to its entry
    # once the message is posted, and shown inside the text rather than in the file list.
    is_inline = models.BooleanField("imagem no texto", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enviado por",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "anexo"
        verbose_name_plural = "anexos"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "entry"]),
            # Pasted images of messages not (yet) sent: each user's quota and the daily purge.
            models.Index(
                fields=["uploaded_by", "created_at"],
                condition=models.Q(is_inline=True, entry__isnull=True),
                name="attachment_unsent_inline_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tickets:attachment", args=[self.ticket_id, self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class SolutionStatus(models.TextChoices):
    PENDING = "pending", "Aguardando validação"
    APPROVED = "approved", "Aprovada"
    REFUSED = "refused", "Recusada"
    AUTO_APPROVED = "auto_approved", "Aprovada automaticamente"


class Solution(BaseModel):
    """A solution an agent proposed; the requester approves or refuses it (or time does)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="solutions")
    entry = models.OneToOneField(TimelineEntry, on_delete=models.CASCADE, related_name="solution")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="técnico", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "situação", max_length=20, choices=SolutionStatus.choices, default=SolutionStatus.PENDING
    )
    decided_at = models.DateTimeField("decidida em", null=True, blank=True)
    decision_entry = models.ForeignKey(
        TimelineEntry,
        verbose_name="registro da decisão",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "solução"
        verbose_name_plural = "soluções"
        constraints = [
            # However two agents race, a ticket never has two solutions waiting at once.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status="pending"),
                name="one_pending_solution_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"Solução de #{self.ticket_id} ({self.get_status_display()})"
