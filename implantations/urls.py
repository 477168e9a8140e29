from django.urls import path

from implantations import views

urlpatterns: list = [
    path("", views.implantation_home, name="implantation-home"),
]
