"""Django admin of the dataset imports: batches, imported reference tables and fact tables, all
read-only, scoped by role like the import pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from diagnostics.models import (
    BmoFact,
    ChomageZeFact,
    DefmFact,
    FapCode,
    ImportBatch,
    Lycee,
    Role,
    RomeCode,
)
from diagnostics.services.accounts import user_create

pytestmark = pytest.mark.django_db
Status = ImportBatch.Status


def _login(client: Client, role: str) -> Client:
    client.force_login(user_create(username=f"admin-{role}", role=role))
    return client


def _batch(kind: str, file_name: str, status: str = Status.DONE, sha: str = "0") -> ImportBatch:
    return ImportBatch.objects.create(
        kind=kind,
        file_name=file_name,
        sha256=sha * 64,
        status=status,
        vintage=f"{kind}-{file_name}",
        error_report=[{"line": 2, "column": "met", "value": "-1", "rule": "négatif"}] * 3,
    )


@pytest.fixture
def batches() -> dict[str, ImportBatch]:
    bmo = _batch("bmo", "Base_open_data_BMO_2025.xlsx", sha="1")
    refused = _batch("bmo", "bmo_faux.xlsx", Status.REJECTED, sha="2")
    rome = _batch("rome", "unix_referentiel_code_rome_v460_utf8.csv", sha="3")
    fap = _batch("fap", "fap2021.csv", sha="4")
    chomage = _batch("chomage_ze", "chomage-zone.xlsx", sha="5")
    defm = _batch("defm", "defm.csv", sha="6")
    lycees = _batch("lycees", "annuaire.csv", sha="7")
    BmoFact.objects.bulk_create(
        BmoFact(batch=bmo, year=2025, bassin_code=code, metier_code=f"A0X{i:02d}", met=10 + i)
        for i, code in enumerate(["4418", "4418", "5317", "101"])
    )
    RomeCode.objects.create(
        batch=rome, code="M1805", label="Études et développement informatique",
        parent_code="M1805", grand_domaine_code="M", domaine_code="M18",
    )  # fmt: skip
    FapCode.objects.create(batch=fap, level=22, code="M", label="Informatique et télécom")
    ChomageZeFact.objects.create(
        batch=chomage, zone_emploi_code="5319", period="2023-T3", year=2023, quarter=3, rate=3.9
    )
    DefmFact.objects.create(
        batch=defm, level="commune", code="52121", month=dt.date(2024, 12, 1), job_seekers=1710
    )
    Lycee.objects.create(
        batch=lycees, uai="0350028U", name="Lycée Bertrand d'Argentré", layout="officiel",
        commune_code="35360", voie_professionnelle=False, voie_technologique=True,
    )  # fmt: skip
    return {"bmo": bmo, "refused": refused, "rome": rome, "fap": fap}


def _ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(obj.pk for obj in response.context["cl"].result_list)


def test_batches_listed_filtered_and_searched_with_a_link_to_their_page(
    client: Client, batches: dict[str, ImportBatch]
) -> None:
    client = _login(client, Role.NATIONAL_ADMIN)
    url = reverse("admin:diagnostics_importbatch_changelist")

    everything = client.get(url)
    rejected = client.get(url, {"status__exact": "rejected"})
    bmo = client.get(url, {"kind__exact": "bmo"})
    searched = client.get(url, {"q": "faux"})

    assert everything.status_code == 200
    assert len(_ids(everything)) == 7
    assert _ids(rejected) == [batches["refused"].pk]
    assert _ids(bmo) == sorted([batches["bmo"].pk, batches["refused"].pk])
    assert _ids(searched) == [batches["refused"].pk]
    assert reverse("import-detail", args=[batches["refused"].pk]) in searched.content.decode()


def test_batch_is_read_only_and_its_page_never_shows_the_row_report(
    client: Client, batches: dict[str, ImportBatch]
) -> None:
    client = _login(client, Role.NATIONAL_ADMIN)
    refused = batches["refused"]

    page = client.get(reverse("admin:diagnostics_importbatch_change", args=[refused.pk]))
    add = client.get(reverse("admin:diagnostics_importbatch_add"))
    delete = client.post(reverse("admin:diagnostics_importbatch_delete", args=[refused.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in html
    assert "bmo_faux.xlsx" in html
    assert "négatif" not in html  # the error report stays on the import page (paged, CSV)
    assert reverse("import-detail", args=[refused.pk]) in html
    assert (add.status_code, delete.status_code) == (403, 403)
    assert ImportBatch.objects.count() == 7


def test_catalogue_admin_sees_rome_and_fap_only(
    client: Client, batches: dict[str, ImportBatch]
) -> None:
    client = _login(client, Role.CATALOGUE_ADMIN)

    listed = client.get(reverse("admin:diagnostics_importbatch_changelist"))
    other = client.get(reverse("admin:diagnostics_importbatch_change", args=[batches["bmo"].pk]))
    rome = client.get(reverse("admin:diagnostics_romecode_changelist"), {"q": "M18"})
    lycees = client.get(reverse("admin:diagnostics_lycee_changelist"))
    facts = client.get(reverse("admin:diagnostics_bmofact_changelist"))

    assert _ids(listed) == sorted([batches["rome"].pk, batches["fap"].pk])
    assert other.status_code == 302  # the admin's answer to an object out of the queryset
    assert [r.code for r in rome.context["cl"].result_list] == ["M1805"]
    assert lycees.status_code == 200
    assert facts.status_code == 403
    assert client.get(reverse("admin:diagnostics_romecode_add")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:diagnostics_romecode_changelist",
        "admin:diagnostics_romeappellation_changelist",
        "admin:diagnostics_romedomain_changelist",
        "admin:diagnostics_fapcode_changelist",
        "admin:diagnostics_lycee_changelist",
        "admin:diagnostics_bmofact_changelist",
        "admin:diagnostics_chomagezefact_changelist",
        "admin:diagnostics_defmfact_changelist",
        "admin:diagnostics_defmsecteurfact_changelist",
        "admin:diagnostics_tensionfact_changelist",
        "admin:diagnostics_indicatorfact_changelist",
    ],
)
def test_reference_and_fact_lists_open_for_the_national_admin(
    client: Client, batches: dict[str, ImportBatch], url_name: str
) -> None:
    response = _login(client, Role.NATIONAL_ADMIN).get(reverse(url_name))

    assert response.status_code == 200
    assert response.context["cl"].show_full_result_count is False


def test_fact_list_has_no_detail_links_searches_exact_codes_and_counts_cheaply(
    client: Client,
    batches: dict[str, ImportBatch],
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = _login(client, Role.NATIONAL_ADMIN)
    url = reverse("admin:diagnostics_bmofact_changelist")

    with django_assert_max_num_queries(10):
        response = client.get(url, {"q": "4418"})

    html = response.content.decode()
    found = response.context["cl"].result_list
    assert sorted((f.bassin_code, f.met) for f in found) == [("4418", 10), ("4418", 11)]
    for fact in found:  # list only: no link to a detail page
        assert reverse("admin:diagnostics_bmofact_change", args=[fact.pk]) not in html
    assert reverse("admin:diagnostics_importbatch_change", args=[batches["bmo"].pk]) in html
    assert client.post(url.replace("/bmofact/", "/bmofact/add/")).status_code == 403
