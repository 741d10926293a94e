from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("chamados/<int:number>/avaliacao/", views.survey_submit, name="submit"),
    path("avaliacao/<str:token>/", views.survey_invitation, name="invitation"),
]
