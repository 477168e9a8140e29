import factory
from factory.django import DjangoModelFactory

from diagnostics.models import Commune, Departement, Region, Role, User


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{90 + n % 9}")
    name = factory.LazyAttribute(lambda o: f"Région {o.code}")


class DepartementFactory(DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 89) + 1:02d}")
    name = factory.LazyAttribute(lambda o: f"Département {o.code}")
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{99000 + n}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region)
    population = 1000
    latitude = 48.0
    longitude = 2.0


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.REGIONAL_DELEGATE
    password = factory.PostGenerationMethodCall("set_password", "motdepasse-tres-long-42")

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.regions.set(extracted)
        if create:
            self.save()
