from django import forms

from .models import STAR_MEANINGS


class SurveyForm(forms.Form):
    stars = forms.TypedChoiceField(
        label="Sua avaliação",
        coerce=int,
        choices=[(value, f"{value} — {meaning}") for value, meaning in STAR_MEANINGS.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Escolha de 1 a 5 estrelas.",
            "invalid_choice": "Escolha de 1 a 5 estrelas.",
        },
    )
    comment = forms.CharField(
        label="Comentário (opcional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "O comentário pode ter até 2.000 caracteres."},
    )
