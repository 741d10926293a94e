"""Login, password and preference forms."""

from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .cpf import clean_cpf

# Same words whether the CPF exists, is inactive or the password is wrong.
LOGIN_FAILED = "CPF ou senha incorretos. Confira os dados e tente novamente."


class LoginForm(forms.Form):
    cpf = forms.CharField(
        label="CPF",
        max_length=20,
        help_text="Somente números, por exemplo 12345678909.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": "Informe o CPF."},
    )
    password = forms.CharField(
        label="Senha",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Informe a senha."},
    )

    def __init__(self, request: HttpRequest, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean_cpf(self) -> str:
        return clean_cpf(self.cleaned_data["cpf"])

    def clean(self):
        cleaned = super().clean()
        cpf, password = cleaned.get("cpf"), cleaned.get("password")
        if cpf and password:
            # The request goes along so django-axes can count failures per CPF and per IP.
            self.user = authenticate(self.request, username=cpf, password=password)
            if self.user is None:
                raise ValidationError(LOGIN_FAILED, code="invalid_login")
        return cleaned


class PreferencesForm(forms.Form):
    email_optional_notifications = forms.BooleanField(
        label="Receber lembretes e convites para avaliar o atendimento",
        required=False,
        help_text=(
            "Lembrete dois dias antes de um chamado ser resolvido automaticamente e convite "
            "para a pesquisa de satisfação depois da solução."
        ),
    )
