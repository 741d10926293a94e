import re

import pytest
from django.urls import reverse

from servicedesk.catalog.models import FieldType
from servicedesk.catalog.tests.factories import FormFieldFactory, ServiceFactory, SubjectFactory
from servicedesk.catalog.views import CHOOSE_FILES_AGAIN
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import PNG_BYTES, TicketFactory, upload
from servicedesk.tickets.tests.pages import counter
from servicedesk.tickets.uploads import FILE_CONTENT_MISMATCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def card():
    service = ServiceFactory(title="SIOP Emendas Parlamentares", slug="siop-emendas-parlamentares")
    subject = SubjectFactory(service=service, name="Erro ao cadastrar emenda", order=1)
    SubjectFactory(service=service, name="Dúvida sobre impedimentos", order=2)
    SubjectFactory(service=service, name="Assunto desativado", is_active=False)
    fields = {
        "number": FormFieldFactory(
            subject=subject,
            label="Número da emenda",
            required=True,
            order=1,
            pattern=r"\d{8}",
            pattern_message="Informe o número da emenda com 8 dígitos.",
        ),
        "moment": FormFieldFactory(
            subject=subject,
            label="Quando ocorre?",
            field_type=FieldType.SINGLE_CHOICE,
            choices="Ao salvar\nOutro",
            required=True,
            order=2,
        ),
        "description": FormFieldFactory(
            subject=subject,
            label="Descreva sua solicitação",
            field_type=FieldType.LONG_TEXT,
            required=True,
            order=3,
        ),
    }
    fields["other"] = FormFieldFactory(
        subject=subject,
        label="Qual outro momento?",
        field_type=FieldType.SHORT_TEXT,
        required=True,
        order=4,
        condition_field=fields["moment"],
        condition_value="Outro",
    )
    return service, subject, fields


def subject_url(service, subject):
    return reverse("catalog:subject", args=[service.slug, subject.pk])


def valid_data(fields, **overrides):
    data = {
        fields["number"].form_name: "20260001",
        fields["moment"].form_name: "Outro",
        fields["description"].form_name: "Ao salvar a emenda aparece erro 500.",
        fields["other"].form_name: "Ao importar planilha",
    }
    data.update(overrides)
    return data


def test_card_page_lists_only_active_subjects(client, requester, card):
    service, subject, _ = card
    client.force_login(requester)
    response = client.get(reverse("catalog:service", args=[service.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Erro ao cadastrar emenda" in html and "Dúvida sobre impedimentos" in html
    assert "Assunto desativado" not in html
    assert f'href="{subject_url(service, subject)}"' in html
    assert f'hx-get="{subject_url(service, subject)}"' in html  # htmx swap, plain link fallback


def test_unknown_or_inactive_card_is_404(client, requester, card):
    client.force_login(requester)
    assert client.get(reverse("catalog:service", args=["nao-existe"])).status_code == 404
    inactive = ServiceFactory(is_active=False)
    assert client.get(reverse("catalog:service", args=[inactive.slug])).status_code == 404


def test_subject_of_another_card_or_inactive_is_404(client, requester, card):
    service, _, _ = card
    client.force_login(requester)
    other = SubjectFactory()
    assert client.get(subject_url(service, other)).status_code == 404
    inactive = service.subjects.get(is_active=False)
    assert client.get(subject_url(service, inactive)).status_code == 404


def test_choosing_a_subject_shows_its_form(client, requester, card):
    service, subject, fields = card
    client.force_login(requester)
    html = client.get(subject_url(service, subject)).content.decode()
    for field in fields.values():
        assert field.label in html
    assert 'type="file"' in html and "multiple" in html
    assert "<progress" in html
    assert 'enctype="multipart/form-data"' in html


def test_missing_required_field_keeps_everything_typed(client, requester, card):
    service, subject, fields = card
    client.force_login(requester)
    data = valid_data(fields, **{fields["description"].form_name: ""})
    data["files"] = [upload("oficio.pdf")]
    response = client.post(subject_url(service, subject), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Este campo é obrigatório." in html
    assert 'value="20260001"' in html and 'value="Ao importar planilha"' in html
    assert re.search(r'<input[^>]*value="Outro"[^>]*checked', html)
    assert CHOOSE_FILES_AGAIN.format(count=1) in html
    assert not Ticket.objects.exists()


def test_pattern_error_is_shown_on_its_field(client, requester, card):
    service, subject, fields = card
    client.force_login(requester)
    response = client.post(
        subject_url(service, subject), valid_data(fields, **{fields["number"].form_name: "12"})
    )
    assert response.status_code == 400
    assert "Informe o número da emenda com 8 dígitos." in response.content.decode()


def test_submitting_opens_the_ticket_with_answers_and_two_files(client, requester, card):
    service, subject, fields = card
    client.force_login(requester)
    data = valid_data(fields)
    data["files"] = [upload("oficio.pdf"), upload("tela.png", PNG_BYTES, "image/png")]
    response = client.post(subject_url(service, subject), data)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tickets:detail", args=[ticket.number])
    assert ticket.status == Status.NEW and ticket.requester == requester
    assert [(a["label"], a["value"]) for a in ticket.answers] == [
        ("Número da emenda", "20260001"),
        ("Quando ocorre?", "Outro"),
        ("Descreva sua solicitação", "Ao salvar a emenda aparece erro 500."),
        ("Qual outro momento?", "Ao importar planilha"),
    ]
    assert sorted(ticket.attachments.values_list("original_name", flat=True)) == [
        "oficio.pdf",
        "tela.png",
    ]

    page = client.get(response.url).content.decode()
    assert f"Chamado nº {ticket.number} aberto." in page
    assert "oficio.pdf" in page and "Ao importar planilha" in page
    home = client.get(reverse("core:home")).content.decode()
    assert (counter(home, "Todos"), counter(home, "Novo")) == (1, 1)


def test_htmx_submission_redirects_the_whole_page(client, requester, card):
    service, subject, fields = card
    client.force_login(requester)
    response = client.post(
        subject_url(service, subject), valid_data(fields), headers={"HX-Request": "true"}
    )
    ticket = Ticket.objects.get()
    assert response.headers["HX-Redirect"] == reverse("tickets:detail", args=[ticket.number])


def test_a_refused_file_is_a_field_error_and_nothing_is_created(client, requester, card):
    service, subject, fields = card
    client.force_login(requester)
    data = valid_data(fields)
    data["files"] = [upload("oficio.pdf"), upload("falsa.png", b"<script>", "image/png")]
    response = client.post(subject_url(service, subject), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert FILE_CONTENT_MISMATCH.format(name="falsa.png", kind="PNG") in html
    assert 'value="20260001"' in html
    assert not Ticket.objects.exists()


def test_card_page_query_count_does_not_grow(client, requester, card, django_assert_num_queries):
    service, subject, _ = card
    for _ in range(30):
        SubjectFactory(service=ServiceFactory())
    TicketFactory.create_batch(200, requester=requester, subject=subject)
    client.force_login(requester)
    # session, user, card with category, its subjects, is the user an agent (menu)
    with django_assert_num_queries(5):
        client.get(reverse("catalog:service", args=[service.slug]))
    # ... plus the subject's fields; the agent check is cached by now
    with django_assert_num_queries(5):
        client.get(subject_url(service, subject))


def test_card_page_requires_login(client, card):
    service, _, _ = card
    response = client.get(reverse("catalog:service", args=[service.slug]))
    assert response.status_code == 302
