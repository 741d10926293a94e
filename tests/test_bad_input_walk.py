"""Every URL of the portal, as every kind of user, with hostile and odd values in every
parameter it reads: never a response >= 500 (issue 15, item 2).

The URL patterns come from config.urls itself (admin and API included), with the path's
parts filled with real objects made for the test. Each URL gets:
- GET with every query parameter the portal reads (collected from the views' sources and
  from the filter forms) set at once to NUL, invalid UTF-8, an encoded lone surrogate and
  100 kB of text, then to odd but valid text (words in number fields, huge numbers, SQL);
- POST (urlencoded) with every field the portal's forms declare (desk actions with their
  prefixes, the subject's own form) set to the same values, and a multipart POST with
  files whose names hold NUL or 1,000 characters;
- for the API, signed JSON bodies with NUL, lone surrogates, 100 kB strings, invalid UTF-8
  and deep nesting.
The CI runs it on PostgreSQL, which refuses NUL in text: that is where a hole would show.
"""

import json
import re
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from servicedesk.api.siop import sign
from servicedesk.catalog.forms_build import build_subject_form
from servicedesk.catalog.models import FieldType
from servicedesk.catalog.tests.factories import FormFieldFactory, SubjectFactory
from servicedesk.desk.action_forms import AssignForm, CloseForm, MessageForm, WaitForm
from servicedesk.desk.forms import QueueFilterForm
from servicedesk.desk.reports import TABLES
from servicedesk.desk.views.reports import ReportFilterForm
from servicedesk.desk.views.ticket import ACTIONS
from servicedesk.notifications.links import survey_link_token
from servicedesk.surveys.forms import SurveyForm
from servicedesk.tickets.forms import CommentForm, InlineImageForm, ReplyForm
from servicedesk.tickets.status import Status
from servicedesk.tickets.tests.factories import (
    PNG_BYTES,
    AttachmentFactory,
    TicketFactory,
    TimelineEntryFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SECRET = "segredo-do-passeio"

# Raw (already percent-encoded) values for query strings and urlencoded bodies.
HOSTILE = {
    "nul": "a%00b",
    "invalid-utf8": "%FF%FE",
    "lone-surrogate": "%ED%A0%80",
    "100kB": "x" * 100_000,
}
ODD = {
    "words": "abc",
    "huge-number": "9" * 30,
    "bad-date": "2024-02-30",
}
ODD_IN_ADMIN = ("words", "huge-number")


def _query_names() -> list[str]:
    """Query parameters the views read: request.GET.get("...") in the sources, and the fields
    of the forms bound to request.GET."""
    names = set()
    for source in (ROOT / "servicedesk").rglob("*.py"):
        if "tests" in source.parts:
            continue
        names.update(re.findall(r"GET\.get\(\s*[\"'](\w+)[\"']", source.read_text()))
    names.update(QueueFilterForm.base_fields)
    names.update(ReportFilterForm.base_fields)
    # Django's admin lists: search, order, page, facets, a filter.
    names.update({"q", "o", "p", "_facets", "is_active__exact", "status__exact"})
    return sorted(names)


def _form_names(subject) -> list[str]:
    """Fields of every form the portal's views bind to a POST."""
    names = {"cpf", "password", "next", "email_optional_notifications"}
    for form in (ReplyForm, CommentForm, SurveyForm, InlineImageForm):
        names.update(form.base_fields)
    for action in ACTIONS:
        for field in action.form.base_fields:
            names.add(f"{action.slug}-{field}")
    for form in (AssignForm, WaitForm, CloseForm, MessageForm):
        names.update(form.base_fields)
    names.update(build_subject_form(subject).base_fields)
    names.update({"old_password", "new_password1", "new_password2"})
    return sorted(names)


def _patterns(resolvers=None, prefix="", namespace=""):
    """(route, name, converter names) of every URL pattern in config.urls."""
    resolvers = get_resolver().url_patterns if resolvers is None else resolvers
    for entry in resolvers:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _patterns(entry.url_patterns, prefix + route, inner.strip(":"))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield prefix + route, name


class World:
    """The objects whose ids fill the URLs, and the users who ask."""

    def __init__(self, requester, agent, supervisor):
        self.requester, self.agent, self.supervisor = requester, agent, supervisor
        self.subject = SubjectFactory(support_group=agent.support_groups.get())
        self.subject.support_group.services.add(self.subject.service)
        for number, field_type in enumerate(FieldType.values):
            choices = "Sim\nNão" if "choice" in field_type else ""
            FormFieldFactory(
                subject=self.subject,
                field_type=field_type,
                choices=choices,
                required=number % 2 == 0,
            )
        self.ticket = TicketFactory(
            requester=requester, subject=self.subject, status=Status.TO_VALIDATE
        )
        entry = TimelineEntryFactory(ticket=self.ticket, actor=agent)
        self.attachment = AttachmentFactory(entry=entry)
        self.query_names = _query_names()
        self.form_names = _form_names(self.subject)

    def value(self, name: str, converter: str, route_name: str) -> str:
        if name == "number":
            return str(self.ticket.number)
        if name == "attachment_id":
            return str(self.attachment.pk)
        if name == "slug":
            return self.subject.service.slug
        if name == "subject_id":
            return str(self.subject.pk)
        if name == "action":
            return ACTIONS[0].slug
        if name == "tabela":
            return next(iter(TABLES))
        if name == "token":
            return survey_link_token(
                ticket_number=self.ticket.number, requester_id=self.requester.pk
            )
        if name == "cpf":
            return self.requester.cpf
        if name == "app_label":
            return "tickets"
        if name == "object_id":
            return self._admin_object_id(route_name)
        if name == "url":
            return "nao-existe/"
        return "1"

    def _admin_object_id(self, route_name: str) -> str:
        match = re.fullmatch(r"admin:(\w+?)_(\w+)_(?:change|delete|history)", route_name)
        if not match:
            return "1"
        for model in apps.get_app_config(match[1]).get_models():
            if model._meta.model_name == match[2]:
                first = model.objects.order_by("pk").first()
                return str(first.pk) if first else "1"
        return "1"

    def url(self, route: str, route_name: str) -> str:
        def path_value(match):
            converter, name = match[1] or "str", match[2]
            return quote(self.value(name, converter, route_name), safe="")

        route = re.sub(r"<(?:(\w+):)?(\w+)>", path_value, route)
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: self.value(m[1], "re", route_name), route)
        return "/" + route.replace("^", "").replace("$", "").replace("\\", "")


def _send(client, method, url, **kwargs):
    try:
        return getattr(client, method)(url, **kwargs).status_code
    except Exception as error:  # an exception escaping the view is the 500 we look for
        return f"500 ({type(error).__name__}: {str(error)[:120]})"


def _post_all(client, url, user, values, world) -> list[str]:
    """One urlencoded POST per value, with every form field set to it."""
    failures = []
    for value in values:
        body = "&".join(f"{field}={value}" for field in world.form_names)
        status = _send(
            client, "post", url, data=body, content_type="application/x-www-form-urlencoded"
        )
        if not isinstance(status, int) or status >= 500:
            failures.append(f"POST {url} [{value[:20]}] as {user}: {status}")
    return failures


def _walk(client, world, user, settings) -> tuple[list[str], int]:
    failures, sent = [], 0
    odd_values = list(ODD.values())
    for route, name in _patterns():
        admin = route.startswith("admin/")
        api = name.startswith("api:")
        if admin and user is not None and not user.is_staff:
            continue  # the admin sends them to its login, as it does the anonymous visitor
        if name == "desk:action":  # one pattern, a form per action: post to each of them
            for action in ACTIONS[1:]:
                url = world.url(route.replace("<slug:action>", action.slug), name)
                failures += _post_all(client, url, user, [*HOSTILE.values(), *odd_values], world)
                sent += len(HOSTILE) + len(odd_values)
        url = world.url(route, name)
        if user is not None:
            client.force_login(user)  # a POST to "sair" logged the client out
        queries = [""]
        queries += ["&".join(f"{q}={v}" for q in world.query_names) for v in HOSTILE.values()]
        odd = {k: v for k, v in ODD.items() if not admin or k in ODD_IN_ADMIN}
        queries += ["&".join(f"{q}={v}" for q in world.query_names) for v in odd.values()]
        for query in queries:
            status = _send(client, "get", f"{url}?{query}" if query else url)
            sent += 1
            if not isinstance(status, int) or status >= 500:
                failures.append(f"GET {url}?{query[:60]} as {user}: {status}")
        bodies = list(HOSTILE.values()) + ([] if admin else odd_values)
        failures += _post_all(client, url, user, bodies, world)
        sent += len(bodies)
        if not admin:
            status = _send(client, "post", url, data=_multipart(world), content_type=MULTIPART)
            sent += 1
            if not isinstance(status, int) or status >= 500:
                failures.append(f"POST multipart {url} as {user}: {status}")
        if api:
            for label, raw in _json_bodies().items():
                sent += 1
                status = _send_signed(client, url, raw, settings)
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"PUT {url} [{label}] as {user}: {status}")
    return failures, sent


MULTIPART = "multipart/form-data; boundary=PasseioBoundary"


def _multipart(world) -> bytes:
    """The reply form as a browser would send it, with hostile file names (the test client
    itself would cut names to 255 characters and could not send NUL)."""
    parts = []
    for field in ("body", "responder-body", "aprovar-body"):
        parts.append(f'Content-Disposition: form-data; name="{field}"\r\n\r\nTexto'.encode())
    for filename in ("a\x00b.png", "c" * 1000 + ".png", "\udcff.png"):
        head = (
            f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode("utf-8", "surrogateescape")
        parts.append(head + PNG_BYTES)
    boundary = b"--PasseioBoundary"
    return b"".join(boundary + b"\r\n" + part + b"\r\n" for part in parts) + boundary + b"--\r\n"


def _json_bodies() -> dict[str, bytes]:
    base = {"name": "Maria", "email": "maria@economia.gov.br", "password": "Senha-1-longa"}
    bodies = {}
    for field in base:
        for label, value in (("nul", "a\u0000b"), ("100kB", "x" * 100_000)):
            bodies[f"{field}-{label}"] = json.dumps({**base, field: value}).encode()
        bodies[f"{field}-surrogate"] = json.dumps(base).replace(base[field], "\\ud800").encode()
    bodies["invalid-utf8"] = json.dumps(base).encode().replace(b"Maria", b"Ma\xffria")
    bodies["deep"] = b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    bodies["key-nul"] = b'{"na\\u0000me": "Maria"}'
    return bodies


def _send_signed(client, url, raw: bytes, settings) -> int | str:
    settings.PORTAL_SIOP_SYNC_SECRET = SECRET
    ts = str(int(time.time()))
    headers = {"X-Siop-Timestamp": ts, "X-Siop-Signature": sign(SECRET, ts, "PUT", url, raw)}
    return _send(client, "put", url, data=raw, content_type="application/json", headers=headers)


@pytest.mark.parametrize("role", ["anonymous", "requester", "agent", "supervisor"])
def test_no_url_answers_500_to_hostile_or_odd_input(
    role, requester, agent, supervisor, settings, caplog
):
    world = World(requester, agent, supervisor)
    user = {"anonymous": None, "requester": requester, "agent": agent}.get(role, supervisor)
    # The e-mails the actions send stay in memory; the lock-out would end the series early.
    settings.AXES_ENABLED = False
    client = Client(raise_request_exception=True)
    failures, sent = _walk(client, world, user, settings)
    assert sent > 500
    assert not failures, f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures)
