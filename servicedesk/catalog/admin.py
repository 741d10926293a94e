"""Catalog administration: groups, tabs, cards with nested subjects and fields, and a preview."""

from collections import defaultdict

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .forms_build import build_subject_form
from .models import Category, FormField, Service, Subject, SupportGroup
from .selectors import subjects_routed_to_empty_groups, with_active_member_count

PREVIEW_LABEL = "Pré-visualizar formulário"
PREVIEW_UNSAVED = "Salve o assunto para pré-visualizar o formulário."
# Issue 14: a subject routed to a group without active members reaches nobody on the team.
EMPTY_GROUP_WARNING = (
    "O grupo “{group}” não tem técnicos ativos, e é ele quem recebe os chamados de {subjects}: "
    "ninguém da equipe será avisado desses chamados (os supervisores recebem um e-mail a cada "
    "um). Inclua técnicos ativos no grupo ou escolha outro grupo para o assunto."
)
EMPTY_GROUP_LABEL = "{name} (sem técnicos ativos)"
SUPPORT_GROUP_HELP = (
    "Os técnicos ativos deste grupo recebem os chamados do assunto. Um grupo marcado “sem "
    "técnicos ativos” não avisa ninguém da equipe."
)
MEMBERS_HELP = (
    "Quem pertence a um grupo é técnico: trabalha os chamados na mesa. Um grupo que recebe "
    "chamados precisa de ao menos um técnico ativo; sem ele, ninguém da equipe é avisado e os "
    "supervisores recebem um e-mail a cada chamado."
)


def _listing(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} e {quoted[-1]}"


def warn_about_empty_groups(request, subjects: models.QuerySet[Subject]) -> None:
    """An admin message for each group without active members that these (active) subjects
    route their tickets to. A warning, not a refusal: a group is often created before its
    members are added."""
    by_group = defaultdict(list)
    for subject in subjects_routed_to_empty_groups(subjects):
        by_group[subject.support_group.name].append(subject.name)
    for group, names in by_group.items():
        messages.warning(request, EMPTY_GROUP_WARNING.format(group=group, subjects=_listing(names)))


class SupportGroupChoiceField(forms.ModelChoiceField):
    """The group a subject routes to, with the groups nobody would hear from marked."""

    def label_from_instance(self, group: SupportGroup) -> str:
        if getattr(group, "active_members", None) == 0:
            return EMPTY_GROUP_LABEL.format(name=group.name)
        return group.name


class RoutesToGroup:
    """The subject forms' group field: each group says whether it has active members."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "support_group":
            kwargs["queryset"] = with_active_member_count(SupportGroup.objects.order_by("name"))
            kwargs["form_class"] = SupportGroupChoiceField
            kwargs["help_text"] = SUPPORT_GROUP_HELP
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def preview_link(subject: Subject) -> str:
    if subject.pk is None:
        return PREVIEW_UNSAVED
    url = reverse("admin:catalog_subject_preview", args=[subject.pk])
    # A new tab, so that unsaved edits on the change page are not lost.
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{} (abre em nova aba)</a>', url, PREVIEW_LABEL
    )


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "member_count", "active_member_count")
    search_fields = (
        "name__folded_contains",
        "members__full_name__folded_contains",
        "members__cpf",
    )
    filter_horizontal = ("members", "services")

    def get_queryset(self, request):
        groups = (
            super()
            .get_queryset(request)
            .annotate(member_total=models.Count("members", distinct=True))
        )
        return with_active_member_count(groups)

    @admin.display(description="membros", ordering="member_total")
    def member_count(self, group: SupportGroup) -> int:
        return group.member_total

    @admin.display(description="técnicos ativos", ordering="active_members")
    def active_member_count(self, group: SupportGroup) -> str:
        return str(group.active_members) if group.active_members else "nenhum"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["help_text"] = MEMBERS_HELP
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the members are saved here
        warn_about_empty_groups(request, form.instance.subjects.all())


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name__folded_contains",)
    prepopulated_fields = {"slug": ("name",)}


class FormFieldFormSet(nested_admin.NestedInlineFormSet):
    """Offers as a condition only the fields of the same subject (FormField.clean() decides)."""

    _condition_choices = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get("condition_field")
        if field is None:
            return
        # A new subject has no saved fields yet, so nothing can be a condition before saving.
        field.queryset = (
            FormField.objects.filter(subject=self.instance)
            if self.instance.pk
            else FormField.objects.none()
        )
        # Every form of the formset offers the same options: query them once, not per form.
        if self._condition_choices is None:
            self._condition_choices = list(field.choices)
        field.choices = self._condition_choices


class FormFieldInline(nested_admin.NestedStackedInline):
    model = FormField
    formset = FormFieldFormSet
    extra = 0
    sortable_field_name = "order"
    fieldsets = (
        (
            None,
            {"fields": (("label", "field_type"), ("required", "order"), "help_text", "choices")},
        ),
        (
            "Validação e exibição condicional",
            {"fields": (("pattern", "pattern_message"), ("condition_field", "condition_value"))},
        ),
    )
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}
    }


class SubjectInline(RoutesToGroup, nested_admin.NestedStackedInline):
    model = Subject
    extra = 0
    sortable_field_name = "order"
    show_change_link = True
    inlines = [FormFieldInline]
    fields = (("name", "support_group"), "description", ("order", "is_active"), "preview")
    readonly_fields = ("preview",)

    @admin.display(description="Formulário")
    def preview(self, subject: Subject) -> str:
        return preview_link(subject)


@admin.register(Service)
class ServiceAdmin(nested_admin.NestedModelAdmin):
    list_display = ("title", "category", "order", "is_active")
    list_editable = ("order",)
    list_filter = ("category", "is_active")
    list_select_related = ("category",)
    search_fields = (
        "title__folded_contains",
        "slug",
        "short_description__folded_contains",
        "subjects__name__folded_contains",
    )
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "short_description", "icon", "category", "order", "is_active")
    inlines = [SubjectInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the subjects are saved here
        warn_about_empty_groups(request, form.instance.subjects.all())


@admin.register(Subject)
class SubjectAdmin(RoutesToGroup, nested_admin.NestedModelAdmin):
    list_display = ("name", "service", "support_group", "order", "is_active")
    list_filter = ("service__category", "service", "support_group", "is_active")
    list_select_related = ("service", "support_group")
    search_fields = (
        "name__folded_contains",
        "description__folded_contains",
        "service__title__folded_contains",
    )
    ordering = ("service__category__order", "service__order", "service__title", "order", "name")
    fields = ("service", "name", "description", "support_group", "order", "is_active", "preview")
    readonly_fields = ("preview",)
    inlines = [FormFieldInline]

    @admin.display(description="Formulário")
    def preview(self, subject: Subject) -> str:
        return preview_link(subject)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warn_about_empty_groups(request, Subject.objects.filter(pk=obj.pk))

    def get_urls(self):
        preview = path(
            "<int:subject_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="catalog_subject_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, subject_id: int):
        """The form as requesters see it; `?testar=1` validates the GET data and saves nothing."""
        subject = get_object_or_404(
            self.get_queryset(request).select_related("service"), pk=subject_id
        )
        if not self.has_view_permission(request, subject):
            raise PermissionDenied
        testing = request.GET.get("testar") == "1"
        form = build_subject_form(subject)(request.GET if testing else None)
        is_valid = testing and form.is_valid()
        context = {
            "subject": subject,
            "form": form,
            "testing": testing,
            "is_valid": is_valid,
            "answers": form.answers() if is_valid else [],
            "change_url": reverse("admin:catalog_subject_change", args=[subject.pk]),
            "preview_url": request.path,
        }
        return TemplateResponse(request, "catalog/admin_subject_preview.html", context)
