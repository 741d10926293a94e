from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("servicos/<slug:slug>/", views.service_detail, name="service"),
    path("servicos/<slug:slug>/<int:subject_id>/", views.subject_open, name="subject"),
]
