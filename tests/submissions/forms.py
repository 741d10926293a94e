"""Every form of the portal that creates something, as a person meets it: the page that shows
it, the address it posts to and what they type (issue 14, item 1). The repeated-submission
tests run the same checks over all of them, on SQLite and on PostgreSQL, one after the other
and at once."""

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import reverse

from servicedesk.accounts.models import User
from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.models import FieldType
from servicedesk.catalog.tests.factories import (
    FormFieldFactory,
    ServiceFactory,
    SubjectFactory,
    SupportGroupFactory,
)
from servicedesk.surveys.models import Survey
from servicedesk.tickets.models import Attachment, Solution, Ticket, TimelineEntry
from servicedesk.tickets.services.solutions import solution_approve, solution_propose
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import TicketFactory, upload

# The rows a submission may create or change. After a repeat, none may be new or rewritten.
WRITTEN = (Ticket, TimelineEntry, Attachment, Solution, Survey)


def snapshot() -> dict[str, dict[int, object]]:
    """Every row of WRITTEN with the moment it was last written."""
    return {
        model.__name__: dict(model.objects.values_list("pk", "updated_at")) for model in WRITTEN
    }


class FormInputs(HTMLParser):
    """The hidden inputs of each form of a page, by the form's address."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = self.forms.setdefault(attrs.get("action") or "", {})
        elif tag == "input" and self._current is not None and attrs.get("type") == "hidden":
            self._current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def hidden_inputs(html: str, action: str) -> dict[str, str]:
    parser = FormInputs()
    parser.feed(html)
    assert action in parser.forms, f"no form posting to {action} on the page"
    return parser.forms[action]


@dataclass
class World:
    requester: User
    agent: User
    colleague: User
    supervisor: User
    subject: object
    fields: dict


def make_world() -> World:
    group = SupportGroupFactory(name="Atendimento SIOP")
    service = ServiceFactory(title="SIOP Emendas Parlamentares", slug="siop-emendas")
    subject = SubjectFactory(service=service, support_group=group, name="Erro ao salvar emenda")
    group.services.add(service)
    agent = UserFactory(full_name="Tiago Técnico")
    colleague = UserFactory(full_name="Carla Colega")
    group.members.add(agent, colleague)
    fields = {
        "number": FormFieldFactory(subject=subject, label="Número da emenda", required=True),
        "text": FormFieldFactory(
            subject=subject,
            label="Descreva sua solicitação",
            field_type=FieldType.LONG_TEXT,
            required=True,
        ),
    }
    return World(
        requester=UserFactory(full_name="Maria Requerente"),
        agent=agent,
        colleague=colleague,
        supervisor=UserFactory(full_name="Sara Supervisora", is_supervisor=True),
        subject=subject,
        fields=fields,
    )


@dataclass
class CreatingForm:
    """One form, set up on a fresh ticket of the world: who sends it, from which page, to
    which address, with what (a function, so each request gets its own file object)."""

    name: str
    prepare: Callable[[World], "Sending"]
    # Can it be sent wrong (Sending.invalid)? A bare button or an optional comment cannot.
    refusable: bool = True


@dataclass
class Sending:
    user: User
    page: str
    action: str
    typed: Callable[[], dict] = field(default=lambda: {})
    # Must the first submission e-mail someone? (Then the repeat must not, again.)
    emails: bool = True
    # The typed data without what the form requires, and the field that then errs.
    invalid: Callable[[], dict] | None = None


def _ticket(world: World, **kwargs) -> Ticket:
    return TicketFactory(
        requester=world.requester,
        subject=world.subject,
        answers=[{"label": "Descrição", "value": "A tela trava.", "type": "long_text"}],
        **kwargs,
    )


def _assigned(world: World) -> Ticket:
    return _ticket(world, status=Status.ASSIGNED, assigned_agent=world.agent)


def _to_validate(world: World) -> Ticket:
    ticket = _assigned(world)
    solution_propose(actor=world.agent, ticket=ticket, body="Limpe o cache.", body_format="text")
    return ticket


def _resolved(world: World) -> Ticket:
    ticket = _to_validate(world)
    solution_approve(actor=world.requester, ticket=ticket)
    return ticket


def _files(prefix: str = "") -> dict:
    return {f"{prefix}files": [upload("comprovante.pdf")]}


def _open(world: World) -> Sending:
    url = reverse("catalog:subject", args=[world.subject.service.slug, world.subject.pk])
    number, text = world.fields["number"], world.fields["text"]
    return Sending(
        world.requester,
        url,
        url,
        lambda: {number.form_name: "20250001", text.form_name: "Não salva.", **_files()},
        invalid=lambda: {number.form_name: "20250001", text.form_name: "", **_files()},
    )


def _requester(name: str, make_ticket, body: str, *, required: bool = True, emails=True):
    def prepare(world: World) -> Sending:
        ticket = make_ticket(world)
        action = reverse(f"tickets:{name}", args=[ticket.number])
        return Sending(
            world.requester,
            ticket.get_absolute_url(),
            action,
            lambda: {"body": body, "body_format": "text", **_files()},
            emails=emails,
            invalid=(lambda: {"body": "", "body_format": "text"}) if required else None,
        )

    return prepare


def _survey(world: World) -> Sending:
    ticket = _resolved(world)
    return Sending(
        world.requester,
        ticket.get_absolute_url(),
        reverse("surveys:submit", args=[ticket.number]),
        lambda: {"stars": "4", "comment": "Resolveu rápido."},
        emails=False,
        invalid=lambda: {"stars": "", "comment": "Sem estrelas."},
    )


def _desk(slug: str, make_ticket, typed: dict, *, by="agent", emails=True, invalid=None):
    def prepare(world: World) -> Sending:
        ticket = make_ticket(world)
        action = reverse("desk:action", args=[ticket.number, slug])
        with_files = f"{slug}-body" in typed
        return Sending(
            getattr(world, by),
            reverse("desk:ticket", args=[ticket.number]),
            action,
            lambda: {**typed, **(_files(f"{slug}-") if with_files else {})},
            emails=emails,
            invalid=(lambda: {**typed, **invalid}) if invalid else None,
        )

    return prepare


def _message(slug: str, text: str) -> dict:
    return {f"{slug}-body": text, f"{slug}-body_format": "text"}


def _take(world: World) -> Sending:
    ticket = _ticket(world)
    return Sending(
        world.agent,
        reverse("desk:ticket", args=[ticket.number]),
        reverse("desk:take", args=[ticket.number]),
        emails=False,
    )


FORMS = [
    CreatingForm("abrir chamado", _open),
    CreatingForm("responder (requerente)", _requester("reply", _assigned, "Segue o print.")),
    CreatingForm(
        "aprovar com arquivos",
        _requester("approve", _to_validate, "Funcionou.", required=False),
        refusable=False,
    ),
    CreatingForm("recusar com arquivos", _requester("refuse", _to_validate, "Ainda trava.")),
    CreatingForm("reabrir", _requester("reopen", _resolved, "Voltou a travar.")),
    CreatingForm("avaliar", _survey),
    CreatingForm(
        "mesa: responder",
        _desk(
            "responder",
            _assigned,
            _message("responder", "Pode tentar de novo?"),
            invalid={"responder-body": ""},
        ),
    ),
    CreatingForm(
        "mesa: pedir informação",
        _desk(
            "pedir-informacao",
            _assigned,
            _message("pedir-informacao", "Qual navegador?"),
            invalid={"pedir-informacao-body": ""},
        ),
    ),
    CreatingForm(
        "mesa: propor solução",
        _desk(
            "propor-solucao",
            _assigned,
            _message("propor-solucao", "Limpe o cache."),
            invalid={"propor-solucao-body": ""},
        ),
    ),
    CreatingForm(
        "mesa: nota privada",
        _desk(
            "nota",
            _assigned,
            _message("nota", "Só a equipe vê."),
            emails=False,
            invalid={"nota-body": ""},
        ),
    ),
    CreatingForm(
        "mesa: atribuir",
        lambda world: _desk(
            "atribuir",
            _ticket,
            {"atribuir-agent": str(world.colleague.pk), "atribuir-group": ""},
            emails=False,
            invalid={"atribuir-agent": "", "atribuir-group": ""},
        )(world),
    ),
    CreatingForm(
        "mesa: aguardar terceiros",
        _desk(
            "aguardar-terceiros",
            _assigned,
            {"aguardar-terceiros-reason": "Aguardando o SERPRO."},
            emails=False,
            invalid={"aguardar-terceiros-reason": ""},
        ),
    ),
    CreatingForm(
        "mesa: retomar",
        _desk(
            "retomar",
            lambda world: _ticket(
                world,
                status=Status.WAITING,
                waiting_on=WaitingOn.THIRD_PARTY,
                assigned_agent=world.agent,
            ),
            {},
            emails=False,
        ),
        refusable=False,
    ),
    CreatingForm(
        "mesa: fechar",
        _desk(
            "fechar",
            _assigned,
            {"fechar-reason": "Duplicado do nº 12."},
            by="supervisor",
            emails=False,
        ),
        refusable=False,
    ),
    CreatingForm("mesa: assumir", _take, refusable=False),
]
