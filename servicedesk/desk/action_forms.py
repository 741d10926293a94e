"""Forms of the desk's ticket actions."""

from django import forms
from django.db.models import Q

from servicedesk.accounts.models import User
from servicedesk.catalog.models import SupportGroup
from servicedesk.tickets.forms import ReplyForm

from .forms import QuickSelect

WAIT_REASON_LABEL = "Motivo da espera"


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name()


def agents_queryset():
    return (
        User.objects.filter(Q(support_groups__isnull=False) | Q(is_supervisor=True), is_active=True)
        .distinct()
        .order_by("full_name")
    )


class AssignForm(forms.Form):
    # QuickSelect: the agents' list is long, and Django renders a template per option.
    agent = AgentChoiceField(
        label="Técnico",
        queryset=User.objects.none(),
        required=False,
        empty_label="— nenhum —",
        widget=QuickSelect,
    )
    group = forms.ModelChoiceField(
        label="Grupo",
        queryset=SupportGroup.objects.order_by("name"),
        required=False,
        empty_label="— manter o grupo atual —",
        widget=QuickSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents_queryset()
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = "Escolha uma das opções da lista."


class MessageForm(ReplyForm):
    """Reply, private note, request for information, solution: rich text plus files."""

    def __init__(self, *args, label: str = "Mensagem", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label


class WaitForm(forms.Form):
    reason = forms.CharField(
        label=WAIT_REASON_LABEL,
        max_length=300,
        help_text="Visível para o requerente, por exemplo: “Aguardando a equipe do SERPRO”.",
        error_messages={"required": "Informe o motivo da espera."},
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label="Motivo do fechamento (opcional)", max_length=300, required=False
    )


class EmptyForm(forms.Form):
    """Actions that are a single button."""
