from django.urls import path

from .views import requester

app_name = "tickets"

urlpatterns = [
    path("chamados/", requester.ticket_list, name="list"),
    path("chamados/<int:number>/", requester.ticket_detail, name="detail"),
]
