"""Issue 14, item 1: every form that creates something is idempotent per rendering. The same
form sent twice (a double click without JavaScript, a browser's resend, an htmx retry) lands
on the first result: the same ticket or entry, the same redirect, no error, no second
e-mail, no row written twice. Checked for each form of tests/submissions/forms.py."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from servicedesk.core.models import Submission
from servicedesk.core.submissions import (
    FIELD,
    SUBMISSION_EXPIRED,
    SUBMISSION_INVALID,
    SUBMISSION_REUSED,
)
from servicedesk.tickets.models import Attachment, Ticket, TimelineEntry
from servicedesk.tickets.tests.factories import PDF_BYTES, upload

from .forms import FORMS, hidden_inputs, make_world, snapshot

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world():
    return make_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rendered_form(client: Client, sending) -> dict[str, str]:
    page = client.get(sending.page)
    assert page.status_code == 200
    return hidden_inputs(page.content.decode(), sending.action)


def send(client, sending, inputs, capture, *, htmx=False, typed=None):
    data = {**inputs, **(typed if typed is not None else sending.typed())}
    with capture(execute=True):
        return client.post(sending.action, data, headers=HTMX if htmx else {})


def succeeded(response, htmx: bool) -> bool:
    if htmx:
        return response.status_code == 200
    return response.status_code == 302


def errors_of(response) -> list[str]:
    return re.findall(r"(?:danger|alert).{0,400}", response.content.decode(), re.S)


def ids(form):
    return form.name


@pytest.mark.parametrize("htmx", [False, True], ids=["sem JavaScript", "htmx"])
@pytest.mark.parametrize("form", FORMS, ids=ids)
def test_the_same_form_sent_twice_creates_once(
    world, form, htmx, django_capture_on_commit_callbacks
):
    sending = form.prepare(world)
    client = client_for(sending.user)
    inputs = rendered_form(client, sending)
    assert inputs.get(FIELD), "the form carries no submission token"
    mail.outbox.clear()
    before = snapshot()

    first = send(client, sending, inputs, django_capture_on_commit_callbacks, htmx=htmx)
    assert succeeded(first, htmx), errors_of(first)
    after_first, emails = snapshot(), len(mail.outbox)
    assert after_first != before
    assert bool(emails) is sending.emails

    again = send(client, sending, inputs, django_capture_on_commit_callbacks, htmx=htmx)

    assert succeeded(again, htmx), errors_of(again)
    assert snapshot() == after_first  # nothing new, nothing rewritten
    assert len(mail.outbox) == emails  # no second e-mail
    if htmx:
        assert again.headers.get("HX-Redirect") == first.headers.get("HX-Redirect")
        assert "Não foi possível concluir" not in again.content.decode()
    else:
        assert again["Location"] == first["Location"]  # the same ticket, the same entry
    assert Submission.objects.count() == 1


@pytest.mark.parametrize("form", [form for form in FORMS if form.refusable], ids=ids)
def test_a_form_sent_again_after_a_refusal_keeps_its_token_and_creates_once(
    world, form, django_capture_on_commit_callbacks
):
    """A form that comes back with errors (the form's or the service's) shows the same
    token: the corrected form, sent twice, still creates once."""
    sending = form.prepare(world)
    client = client_for(sending.user)
    inputs = rendered_form(client, sending)
    before = snapshot()

    refused = send(
        client, sending, inputs, django_capture_on_commit_callbacks, typed=sending.invalid()
    )

    assert refused.status_code == 400
    assert snapshot() == before and Submission.objects.count() == 0
    again = hidden_inputs(refused.content.decode(), sending.action)
    assert again[FIELD] == inputs[FIELD]
    first = send(client, sending, again, django_capture_on_commit_callbacks)
    second = send(client, sending, again, django_capture_on_commit_callbacks)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Submission.objects.count() == 1


def test_two_renderings_of_a_form_are_two_submissions(world, django_capture_on_commit_callbacks):
    """What the token prevents is a repeat, not a second message the person meant to send."""
    sending = FORMS[1].prepare(world)  # the requester's reply
    client = client_for(sending.user)
    for _ in range(2):
        inputs = rendered_form(client, sending)
        response = send(client, sending, inputs, django_capture_on_commit_callbacks)
        assert response.status_code == 302
    assert Submission.objects.count() == 2


def test_a_page_reused_for_another_message_is_refused_not_taken_for_a_repeat(
    world, django_capture_on_commit_callbacks
):
    """The browser's back button brings the sent form back with its token; what is typed in it
    now is a new message. Answering it with the first result would lose it: it is refused
    (400, pt-BR), what was typed stays on the page with a new token, and sent again it goes."""
    sending = FORMS[1].prepare(world)  # the requester's reply
    client = client_for(sending.user)
    inputs = rendered_form(client, sending)
    assert send(client, sending, inputs, django_capture_on_commit_callbacks).status_code == 302
    before = snapshot()

    new_message = {"body": "Outra coisa: o relatório também falha.", "body_format": "text"}
    refused = send(client, sending, inputs, django_capture_on_commit_callbacks, typed=new_message)

    assert refused.status_code == 400
    html = refused.content.decode()
    assert SUBMISSION_REUSED in html
    assert "Outra coisa: o relatório também falha." in html
    assert snapshot() == before
    fresh = hidden_inputs(html, sending.action)
    assert fresh[FIELD] != inputs[FIELD]
    sent = send(client, sending, fresh, django_capture_on_commit_callbacks, typed=new_message)
    assert sent.status_code == 302
    assert TimelineEntry.objects.filter(body_text__startswith="Outra coisa").count() == 1


def test_the_same_text_with_another_file_is_not_a_repeat(world, django_capture_on_commit_callbacks):
    sending = FORMS[0].prepare(world)  # opening a ticket
    client = client_for(sending.user)
    inputs = rendered_form(client, sending)
    typed = sending.typed()
    send(client, sending, inputs, django_capture_on_commit_callbacks, typed=typed)
    other_file = {**typed, "files": [upload("comprovante.pdf", PDF_BYTES + b"%% v2\n")]}
    refused = send(client, sending, inputs, django_capture_on_commit_callbacks, typed=other_file)
    assert refused.status_code == 400
    assert SUBMISSION_REUSED in refused.content.decode()
    assert Ticket.objects.count() == 1 and Attachment.objects.count() == 1


def test_another_users_token_is_not_honoured(world, django_capture_on_commit_callbacks):
    sending = FORMS[0].prepare(world)  # opening a ticket
    inputs = rendered_form(client_for(sending.user), sending)
    other = client_for(world.colleague)
    response = send(other, sending, inputs, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    html = response.content.decode()
    assert SUBMISSION_INVALID in html
    assert not Ticket.objects.exists()
    # The page comes back with what was typed and a token of this user's: sent again, it opens.
    fresh = hidden_inputs(html, sending.action)
    assert fresh[FIELD] != inputs[FIELD]
    assert send(other, sending, fresh, django_capture_on_commit_callbacks).status_code == 302
    assert Ticket.objects.get().requester == world.colleague


def test_an_expired_form_asks_to_be_sent_again(world, django_capture_on_commit_callbacks, settings):
    settings.SESSION_COOKIE_AGE = 3 * 24 * 3600  # longer than the token, for this test
    sending = FORMS[1].prepare(world)  # the requester's reply
    client = client_for(sending.user)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        inputs = rendered_form(client, sending)
    later = now + timedelta(hours=settings.PORTAL_SUBMISSION_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        response = send(client, sending, inputs, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    html = response.content.decode()
    assert SUBMISSION_EXPIRED.format(hours=settings.PORTAL_SUBMISSION_HOURS) in html
    assert "Segue o print." in html  # what was typed is still there
    assert not Submission.objects.exists()


def test_a_post_without_a_token_is_handled_once_per_request(
    world, django_capture_on_commit_callbacks
):
    """Scripts and pages rendered before the upgrade carry no token: served as before."""
    sending = FORMS[1].prepare(world)
    client = client_for(sending.user)
    for _ in range(2):
        assert send(client, sending, {}, django_capture_on_commit_callbacks).status_code == 302
    assert not Submission.objects.exists()


# Forms that post but create nothing: signing in and out, preferences, the password page.
NOT_CREATING = {
    "templates/base.html",
    "servicedesk/accounts/templates/accounts/login.html",
    "servicedesk/accounts/templates/accounts/preferences.html",
    "servicedesk/accounts/templates/accounts/password_change.html",
}


def test_every_template_form_that_posts_carries_a_submission_token():
    root = Path(settings.BASE_DIR)
    missing = []
    templates = [
        *root.glob("templates/**/*.html"),
        *root.glob("servicedesk/**/templates/**/*.html"),
    ]
    for path in templates:
        relative = str(path.relative_to(root))
        html = path.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b.*?</form>", html, re.S):
            posts = re.search(r'method="post"', form, re.I) and relative not in NOT_CREATING
            if posts and "{% submission_field" not in form:
                missing.append(relative)
    assert missing == []
    assert len(FORMS) == 15
