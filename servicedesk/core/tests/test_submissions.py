"""One-time submission tokens (core/submissions.py): what a token is good for, the claim in
the service's transaction, and forgetting old records."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.core import submissions
from servicedesk.core.errors import ApplicationError
from servicedesk.core.models import Submission
from servicedesk.core.submissions import (
    FIELD,
    SUBMISSION_EXPIRED,
    SUBMISSION_INVALID,
    SUBMISSION_REUSED,
    SubmissionKey,
    submission_claim,
    submission_from_request,
    submission_token,
    submissions_forget_expired,
    token_to_render,
)
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.tests.factories import TicketFactory

ACTION = "/chamados/12/responder/"
T0 = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 0))


def posted(user, token, path=ACTION):
    request = RequestFactory().post(path, {FIELD: token} if token is not None else {})
    request.user = user
    return request


@pytest.fixture
def user(db):
    return UserFactory()


# --- Tokens -------------------------------------------------------------------------------------


def test_a_token_is_made_without_any_query(user):
    with CaptureQueriesContext(connection) as queries:
        tokens = {submission_token(user=user, action=ACTION) for _ in range(20)}
    assert len(queries) == 0
    assert len(tokens) == 20  # one per rendering


def test_a_token_gives_its_key_to_its_user_for_its_address(user):
    token = submission_token(user=user, action=ACTION)
    key = submission_from_request(posted(user, token))
    assert key.scope == f"user:{user.pk}"
    assert key.action == ACTION
    assert key.key and key.key in token
    assert submission_from_request(posted(user, token)) == key  # a repeat: the same key


def test_a_request_without_a_token_has_no_key(user):
    assert submission_from_request(posted(user, None)) is None
    assert submission_from_request(posted(user, "")) is None


@pytest.mark.parametrize(
    "case", ["another user", "another form", "tampered", "not a token"], ids=str
)
def test_a_token_is_not_honoured_elsewhere(user, case):
    token = submission_token(user=user, action=ACTION)
    request = {
        "another user": posted(UserFactory(), token),
        "another form": posted(user, token, path="/chamados/12/aprovar/"),
        "tampered": posted(user, token[:-2] + ("AA" if not token.endswith("AA") else "BB")),
        "not a token": posted(user, "<script>alert(1)</script>"),
    }[case]
    with pytest.raises(ApplicationError) as refused:
        submission_from_request(request)
    assert refused.value.message == SUBMISSION_INVALID


def test_a_token_expires_after_the_setting(user, settings):
    settings.PORTAL_SUBMISSION_HOURS = 24
    with time_machine.travel(T0, tick=False):
        token = submission_token(user=user, action=ACTION)
    with time_machine.travel(T0 + timedelta(hours=24) - timedelta(seconds=1), tick=False):
        assert submission_from_request(posted(user, token)) is not None
    late = T0 + timedelta(hours=24, seconds=1)
    with time_machine.travel(late, tick=False), pytest.raises(ApplicationError) as refused:
        submission_from_request(posted(user, token))
    assert refused.value.message == SUBMISSION_EXPIRED.format(hours=24)
    assert refused.value.message == (
        "Este formulário ficou aberto por mais de 24 horas e expirou. Confira os dados e envie "
        "de novo."
    )


class BoundForm:
    is_bound = True

    def __init__(self, data):
        self.data = data


def test_a_form_that_comes_back_with_errors_keeps_its_token(user):
    request = RequestFactory().get(ACTION)
    request.user = user
    token = submission_token(user=user, action=ACTION)
    assert token_to_render(request, ACTION, BoundForm({FIELD: token})) == token
    # Anything else gets a new one: an unbound form, a bad or foreign token, no token.
    for form in (None, BoundForm({}), BoundForm({FIELD: "x"}), BoundForm({FIELD: token + "x"})):
        fresh = token_to_render(request, ACTION, form)
        assert fresh != token
        assert submission_from_request(posted(user, fresh)) is not None
    other = submission_token(user=UserFactory(), action=ACTION)
    assert token_to_render(request, ACTION, BoundForm({FIELD: other})) != other


# --- The claim ----------------------------------------------------------------------------------


def key(user, value="k1", action=ACTION):
    return SubmissionKey(scope=f"user:{user.pk}", key=value, action=action)


@pytest.mark.django_db
def test_the_first_claim_does_the_work_and_a_repeat_gets_its_result(user):
    ticket = TicketFactory()
    with transaction.atomic():
        first = submission_claim(key(user))
        assert not first.repeated
        assert first.record(ticket) is ticket
    with transaction.atomic():
        again = submission_claim(key(user))
        assert again.repeated
        assert again.result() == ticket
        assert isinstance(again.result(), Ticket)
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_repeat_whose_result_is_gone_is_refused_not_redone(user):
    ticket = TicketFactory()
    with transaction.atomic():
        submission_claim(key(user)).record(ticket)
    Ticket.objects.filter(pk=ticket.pk).delete()
    with transaction.atomic():
        claim = submission_claim(key(user))
        with pytest.raises(ApplicationError) as refused:
            claim.result()
    assert refused.value.message == "Este formulário já foi enviado."


@pytest.mark.django_db
def test_a_failed_transaction_gives_the_key_back(user):
    with pytest.raises(ApplicationError), transaction.atomic():
        submission_claim(key(user))
        raise ApplicationError("Campo obrigatório.")
    with transaction.atomic():
        assert not submission_claim(key(user)).repeated


@pytest.mark.django_db
def test_keys_of_different_users_never_meet(user):
    with transaction.atomic():
        submission_claim(key(user)).record(TicketFactory())
    with transaction.atomic():
        assert not submission_claim(key(UserFactory())).repeated


@pytest.mark.django_db
def test_a_key_is_not_honoured_for_another_action(user):
    with transaction.atomic():
        submission_claim(key(user)).record(TicketFactory())
    with pytest.raises(ApplicationError) as refused, transaction.atomic():
        submission_claim(key(user, action="/chamados/12/aprovar/"))
    assert refused.value.message == SUBMISSION_INVALID


@pytest.mark.django_db
def test_a_key_is_not_honoured_for_another_content(user):
    first = SubmissionKey(scope=f"user:{user.pk}", key="k1", action=ACTION, fingerprint="a" * 64)
    with transaction.atomic():
        submission_claim(first).record(TicketFactory())
    with transaction.atomic():
        assert submission_claim(first).repeated
    changed = SubmissionKey(scope=first.scope, key="k1", action=ACTION, fingerprint="b" * 64)
    with pytest.raises(ApplicationError) as refused, transaction.atomic():
        submission_claim(changed)
    assert refused.value.message == SUBMISSION_REUSED


def test_the_fingerprint_is_the_content_without_the_tokens(user):
    def request(**data):
        made = RequestFactory().post(ACTION, data)
        made.user = user
        return submissions.request_fingerprint(made)

    same = request(body="Olá", envio="t1", csrfmiddlewaretoken="c1")
    assert same == request(body="Olá", envio="t2", csrfmiddlewaretoken="c2")
    assert same != request(body="Olá!", envio="t1", csrfmiddlewaretoken="c1")
    assert request(body="x", files=upload_of(b"1")) != request(body="x", files=upload_of(b"2"))
    assert request(body="x", files=upload_of(b"1")) == request(body="x", files=upload_of(b"1"))


def upload_of(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.pdf", content, "application/pdf")


@pytest.mark.django_db
def test_a_used_token_is_not_shown_again_on_a_refused_form(user):
    request = RequestFactory().post(ACTION)
    request.user = user
    token = submission_token(user=user, action=ACTION)
    with transaction.atomic():
        submission_claim(submission_from_request(posted(user, token))).record(TicketFactory())
    with CaptureQueriesContext(connection) as queries:
        fresh = token_to_render(request, ACTION, BoundForm({FIELD: token}))
    assert fresh != token
    assert len(queries) == 1  # only a refused form's re-rendering asks


@pytest.mark.django_db
def test_without_a_key_nothing_is_claimed(user):
    with transaction.atomic():
        claim = submission_claim(None)
        assert not claim.repeated
        claim.record(TicketFactory())
    assert Submission.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_claim_belongs_inside_the_services_transaction(user):
    with pytest.raises(RuntimeError):
        submission_claim(key(user))


# --- Forgetting ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_records_older_than_the_tokens_are_forgotten_by_the_periodic_job(user, settings):
    from servicedesk.tickets.services.automation import automatic_transitions_run

    settings.PORTAL_SUBMISSION_HOURS = 24
    for hours, value in ((25, "old"), (23, "recent")):
        with time_machine.travel(T0 - timedelta(hours=hours), tick=False), transaction.atomic():
            submission_claim(key(user, value)).record(TicketFactory())
    assert submissions_forget_expired(now=T0) == 1
    assert list(Submission.objects.values_list("key", flat=True)) == ["recent"]
    report = automatic_transitions_run(now=T0 + timedelta(hours=2))
    assert report.submissions_forgotten == 1
    assert Submission.objects.count() == 0


def test_the_field_name_is_portuguese_and_stable():
    # Pages rendered before a deploy post this name; changing it drops their tokens.
    assert submissions.FIELD == "envio"
