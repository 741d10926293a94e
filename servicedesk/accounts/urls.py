from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("entrar/", views.login_view, name="login"),
    path("sair/", LogoutView.as_view(), name="logout"),
    path("senha/", views.password_help, name="password_help"),
    path("conta/senha/", views.password_change, name="password_change"),
]
