"""The satisfaction survey: 1 to 5 stars and an optional comment, once per resolved ticket."""

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "servicedesk.surveys"
    label = "surveys"
    verbose_name = "Pesquisas de satisfação"
