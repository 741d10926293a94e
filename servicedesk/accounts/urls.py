from django.urls import path

from . import views
from .govbr import views as govbr_views

app_name = "accounts"

urlpatterns = [
    path("entrar/", views.login_view, name="login"),
    path("entrar/govbr/", govbr_views.GovbrLoginView.as_view(), name="govbr_login"),
    path("entrar/govbr/retorno/", govbr_views.govbr_callback, name="govbr_callback"),
    path("sair/", views.logout_view, name="logout"),
    path("senha/", views.password_help, name="password_help"),
    path("conta/senha/", views.password_change, name="password_change"),
    path("conta/preferencias/", views.preferences, name="preferences"),
]
