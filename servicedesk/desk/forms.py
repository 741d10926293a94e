"""The desk queue's filter form: every field optional, a bad value reported on its field."""

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from servicedesk.tickets.status import Status

from .selectors import DEFAULT_ORDERING, DEFAULT_QUEUE, ORDERINGS, QUEUE_SLUGS

STATUS_INVALID = "Escolha um status da lista."
CARD_INVALID = "Escolha um card da lista."
SUBJECT_INVALID = "Escolha um assunto da lista."
GROUP_INVALID = "Escolha um grupo da lista."
AGENT_INVALID = "Escolha um técnico da lista."
DATE_INVALID = "Informe uma data válida no formato dd/mm/aaaa."
DATES_REVERSED = "A data final deve ser igual ou posterior à data inicial."

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
SEARCH_MAX_LENGTH = 100

# Form field name -> keyword of selectors.desk_ticket_list.
FILTERS = {
    "status": "status",
    "card": "service",
    "assunto": "subject",
    "grupo": "group",
    "tecnico": "agent",
    "de": "opened_from",
    "ate": "opened_to",
}


def _attrs(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: True is a bare name, False leaves it out.
    return "".join(
        f" {escape(name)}" if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    """Django's Select written out in Python, to the character what its templates
    (select.html, select_option.html, attrs.html) produce: the filters list ~110 options,
    and two templates rendered per option cost ~10 ms of each desk page (issue 10)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(format_html('\n  <option value="{}"', option["value"]))
                parts.append(_attrs(option["attrs"]))
                parts.append(format_html(">{}</option>\n", option["label"]))
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


class Options(BaseChoiceIterator):
    """Choices already in the shape Django normalizes them to, (value, label) pairs: given as
    a plain list, the ~110 options of the filters were normalized on every desk page (the
    form took 0.5 ms instead of 0.17) though only a posted value or the cached filters
    block reads them."""

    def __init__(self, choices: list[tuple]):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


def option_field(label: str, invalid: str) -> forms.TypedChoiceField:
    """A filter whose options (ids and names) come from selectors.desk_lookups: the
    form is given them, so listing and checking a choice costs no query."""
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
        error_messages={"invalid_choice": invalid},
    )


def date_field(label: str, *, required: bool = False) -> forms.DateField:
    """A date typed as dd/mm/aaaa (or ISO, from links and bookmarks) in the desk's filters."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        # A plain box rather than type="date": the value typed comes back as typed.
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/aaaa"}, format="%d/%m/%Y"),
        error_messages={"invalid": DATE_INVALID, "required": DATE_INVALID},
    )


class DateRangeForm(forms.Form):
    """A form with an "de" … "ate" period: the end may not come before the start."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("de"), cleaned.get("ate")
        if start and end and start > end:
            self.add_error("ate", DATES_REVERSED)
        return cleaned


class QueueFilterForm(DateRangeForm):
    fila = forms.CharField(required=False, widget=forms.HiddenInput)
    ordem = forms.CharField(required=False, widget=forms.HiddenInput)
    busca = forms.CharField(
        label="Buscar",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text="Número do chamado, CPF ou nome do requerente, ou palavras do pedido.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Ex.: 1234 ou emenda"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Todos"), *Status.choices],
        widget=QuickSelect,
        error_messages={"invalid_choice": STATUS_INVALID},
    )
    card = option_field("Card", CARD_INVALID)
    assunto = option_field("Assunto", SUBJECT_INVALID)
    grupo = option_field("Grupo", GROUP_INVALID)
    tecnico = option_field("Técnico", AGENT_INVALID)
    de = date_field("Aberto de")
    ate = date_field("Aberto até")

    def __init__(self, data=None, *, options: dict[str, list[tuple[int, str]]]):
        super().__init__(data)
        for name, choices in options.items():
            self.fields[name].choices = Options([("", "Todos"), *choices])

    def clean_fila(self):
        fila = self.cleaned_data["fila"]
        return fila if fila in QUEUE_SLUGS else DEFAULT_QUEUE

    def clean_ordem(self):
        ordem = self.cleaned_data["ordem"]
        return ordem if ordem in ORDERINGS else DEFAULT_ORDERING

    def clean_busca(self):
        return self.cleaned_data["busca"].strip()

    @property
    def queue(self) -> str:
        return self.cleaned_data.get("fila") or DEFAULT_QUEUE

    @property
    def ordering(self) -> str:
        return self.cleaned_data.get("ordem") or DEFAULT_ORDERING

    @property
    def text(self) -> str:
        # Too long a search is an error on the field, not a search for nothing.
        return self.cleaned_data.get("busca", "")

    def selector_filters(self) -> dict:
        """The valid filters as keywords of desk_ticket_list; fields in error are left out."""
        return {
            keyword: self.cleaned_data[name]
            for name, keyword in FILTERS.items()
            if self.cleaned_data.get(name)
        }

    def query_params(self, **overrides) -> dict[str, str]:
        """The valid, non-default parameters of this page, for links that keep them."""
        params = {"fila": self.queue, "ordem": self.ordering, "busca": self.text}
        for name in FILTERS:
            if self.cleaned_data.get(name):
                params[name] = self.data.get(name, "")
        params.update(overrides)
        defaults = {"fila": DEFAULT_QUEUE, "ordem": DEFAULT_ORDERING}
        return {key: value for key, value in params.items() if value and defaults.get(key) != value}
