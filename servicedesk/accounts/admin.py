"""User administration: find people by CPF (typed with or without punctuation) or name."""

import re

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from servicedesk.core.formfields import CpfField

from .models import User

_CPF_LIKE = re.compile(r"^[\d.\-\s]{11,14}$")


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("cpf", "full_name", "email", "origin")
        field_classes = {"cpf": CpfField}


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"cpf": CpfField}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = (
        "cpf_formatted",
        "full_name",
        "email",
        "origin",
        "is_active",
        "is_staff",
        "last_login",
    )
    list_display_links = ("cpf_formatted", "full_name")
    list_filter = (
        "origin",
        "is_active",
        "is_supervisor",
        "is_staff",
        "is_superuser",
        "support_groups",
    )
    search_fields = ("cpf", "full_name__folded_contains", "email")
    ordering = ("full_name",)
    readonly_fields = (
        "last_login",
        "created_at",
        "updated_at",
        "govbr_last_login_at",
        "govbr_trust_level",
    )
    fieldsets = (
        (None, {"fields": ("cpf", "password")}),
        (
            "Dados pessoais",
            {"fields": ("full_name", "email", "email_optional_notifications", "origin")},
        ),
        (
            "Permissões",
            {
                "fields": (
                    "is_active",
                    "is_supervisor",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("gov.br", {"fields": ("govbr_last_login_at", "govbr_trust_level")}),
        ("Datas", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "cpf",
                    "full_name",
                    "email",
                    "origin",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description="CPF", ordering="cpf")
    def cpf_formatted(self, obj: User) -> str:
        return obj.cpf_formatted

    def get_search_results(self, request, queryset, search_term):
        # "529.982.247-25" must find the user stored as "52998224725".
        if _CPF_LIKE.match(search_term.strip()):
            search_term = re.sub(r"\D", "", search_term)
        return super().get_search_results(request, queryset, search_term)
