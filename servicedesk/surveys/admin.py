from django.contrib import admin

from .models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("ticket", "stars", "requester", "answered_at")
    list_filter = ("stars",)
    search_fields = (
        "ticket__pk",
        "requester__full_name__folded_contains",
        "requester__cpf",
        "comment__folded_contains",
    )
    raw_id_fields = ("ticket", "requester")
    readonly_fields = ("answered_at", "created_at", "updated_at")
