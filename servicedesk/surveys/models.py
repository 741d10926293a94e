"""A requester's rating of how their ticket was handled."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from servicedesk.core.models import BaseModel
from servicedesk.tickets.models import Ticket

# What each number of stars means, read out to screen readers and shown next to the stars.
STAR_MEANINGS = {
    1: "Muito insatisfeito",
    2: "Insatisfeito",
    3: "Regular",
    4: "Satisfeito",
    5: "Muito satisfeito",
}


class Survey(BaseModel):
    ticket = models.OneToOneField(
        Ticket, verbose_name="chamado", on_delete=models.CASCADE, related_name="survey"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="requerente",
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    stars = models.PositiveSmallIntegerField(
        "estrelas", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField("comentário", blank=True, max_length=2000)
    answered_at = models.DateTimeField("respondida em")

    class Meta:
        verbose_name = "pesquisa de satisfação"
        verbose_name_plural = "pesquisas de satisfação"
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="survey_stars_1_to_5"
            )
        ]
        indexes = [models.Index(fields=["answered_at"])]

    def __str__(self) -> str:
        return f"{self.stars} estrela(s) para #{self.ticket_id}"

    @property
    def meaning(self) -> str:
        return STAR_MEANINGS[self.stars]
