"""Reads of the catalog for the portal: only active cards and subjects are ever offered."""

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.http import Http404

from servicedesk.core import readcache
from servicedesk.core.search import fold

from .models import Category, FormField, Service, Subject, SupportGroup

SERVICE_NOT_FOUND = "Card de atendimento não encontrado."
SUBJECT_NOT_FOUND = "Assunto não encontrado neste card."


@dataclass(frozen=True)
class CatalogView:
    categories: list[Category]
    services: list[Service]
    category: Category | None
    query: str


@dataclass(frozen=True)
class CatalogNames:
    """Every card's title and subject's name by id (active or not: old tickets keep theirs),
    cached until the catalog changes; lists name their rows from it instead of joining."""

    cards: dict[int, str]
    subjects: dict[int, str]


def _names() -> CatalogNames:
    # One query for both tables.
    cards = (
        Service.objects.order_by().annotate(kind=Value("card")).values_list("kind", "pk", "title")
    )
    subjects = (
        Subject.objects.order_by().annotate(kind=Value("subject")).values_list("kind", "pk", "name")
    )
    names = CatalogNames(cards={}, subjects={})
    for kind, pk, name in cards.union(subjects, all=True):
        (names.cards if kind == "card" else names.subjects)[pk] = name
    return names


def catalog_names() -> CatalogNames:
    return readcache.cached("catalog-names", depends_on=("catalog",), compute=_names)


def _home_services() -> list[Service]:
    active_subjects = Prefetch(
        "subjects", queryset=Subject.objects.filter(is_active=True).only("pk", "name", "service_id")
    )
    return list(
        Service.objects.filter(is_active=True, category__isnull=False)
        .select_related("category")
        .prefetch_related(active_subjects)
        .order_by("category__order", "order", "title")
    )


def catalog_for_home(*, category_slug: str = "", query: str = "") -> CatalogView:
    """Category tabs and the cards to show, filtered by tab and by a search over card titles,
    descriptions and subject names. The catalog is small (tens of cards), so the search runs
    in Python with accent folding, in two queries whatever it matches."""
    services = readcache.cached("home-catalog", depends_on=("catalog",), compute=_home_services)
    categories = list({service.category.pk: service.category for service in services}.values())
    categories.sort(key=lambda category: (category.order, category.name))
    category = next((c for c in categories if c.slug == category_slug), None)
    if category:
        services = [service for service in services if service.category_id == category.pk]
    query = query.strip()[:100]
    if query:
        terms = fold(query).split()

        def matches(service: Service) -> bool:
            haystack = " ".join(
                [
                    service.title,
                    service.short_description,
                    *(s.name for s in service.subjects.all()),
                ]
            )
            folded = fold(haystack)
            return all(term in folded for term in terms)

        services = [service for service in services if matches(service)]
    return CatalogView(categories=categories, services=services, category=category, query=query)


def service_get_active(*, slug: str) -> Service:
    """An active card with its active subjects, or 404."""
    active_subjects = Prefetch(
        "subjects", queryset=Subject.objects.filter(is_active=True).order_by("order", "name")
    )
    service = (
        Service.objects.filter(slug=slug, is_active=True)
        .select_related("category")
        .prefetch_related(active_subjects)
        .first()
    )
    if service is None:
        raise Http404(SERVICE_NOT_FOUND)
    return service


def subject_get_for_service(
    *, service: Service, subject_id: int
) -> tuple[Subject, list[FormField]]:
    """One of the card's active subjects (from the prefetched list) and its form fields."""
    subject = next((s for s in service.subjects.all() if s.pk == subject_id), None)
    if subject is None:
        raise Http404(SUBJECT_NOT_FOUND)
    subject.service = service  # already loaded: spare the query
    return subject, list(subject.fields.order_by("order", "pk"))


def with_active_member_count(groups: QuerySet[SupportGroup]) -> QuerySet[SupportGroup]:
    """The groups with `active_members`, how many of their members are active."""
    return groups.annotate(
        active_members=Count("members", filter=Q(members__is_active=True), distinct=True)
    )


def subjects_routed_to_empty_groups(subjects: QuerySet[Subject]) -> list[Subject]:
    """Of these subjects, the active ones whose group has no active member, with the group:
    what the catalog admin warns about."""
    active_member = SupportGroup.members.through.objects.filter(
        supportgroup_id=models.OuterRef("support_group_id"), user__is_active=True
    )
    return list(
        subjects.filter(is_active=True)
        .exclude(models.Exists(active_member))
        .select_related("support_group")
        .order_by("support_group__name", "name")
    )
