"""Reads for the prospective section of a diagnostic (issue 17): the ROME referential with its
professional domains, the ROME → FAP 2009 pairing the 2019 tension file publishes, the
population estimates by age band and the job seekers by bassin × NAF section, as the frames of
`diagnostics.analytics.columns` (ROME_REFERENTIAL, ROME_FAP, POPULATION_AGE,
SECTOR_JOB_SEEKERS)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from django.db.models import Count

from diagnostics.analytics import columns as c
from diagnostics.analytics.communes import normalise_bassin_bmo_code
from diagnostics.analytics.replacement import (
    DepartementBands,
    departement_bands,
    replacement_frame,
)
from diagnostics.models import (
    DefmSecteurFact,
    Departement,
    PopulationAgeFact,
    RomeAppellation,
    RomeCode,
    RomeDomain,
    TensionFact,
)

# The per-process cache of the France-wide frames (batches are immutable).
from diagnostics.selectors.diagnostic_frames import batches_key, frame_cached
from diagnostics.selectors.memo import memo_active, memoised


def rome_referential_frame() -> pd.DataFrame:
    """ROME_REFERENTIAL of the current referential: every code with its label and its
    domaine professionnel (code and label; the label is empty when the domains file is not
    imported). Read once per process and data version (`selectors.memo`)."""
    return memoised(("rome_referential",), _rome_referential_frame, versioned=True)


def _rome_referential_frame() -> pd.DataFrame:
    codes = list(
        RomeCode.objects.current()
        .order_by("code", "batch_id")
        .values_list("code", "label", "domaine_code")
    )
    domains = dict(
        RomeDomain.objects.current()
        .filter(level="domaine")
        .order_by("code", "batch_id")
        .values_list("code", "label")
    )
    frame = pd.DataFrame.from_records(codes, columns=[c.ROME_CODE, c.ROME_LABEL, c.DOMAIN_CODE])
    frame = frame.drop_duplicates(c.ROME_CODE, keep="last").reset_index(drop=True)
    frame[c.DOMAIN_LABEL] = frame[c.DOMAIN_CODE].map(domains).astype(object).fillna("")
    return frame[c.ROME_REFERENTIAL_COLUMNS]


def shared_titles_count() -> int:
    """Job titles (appellations) of the current referential attached to more than one ROME
    code, counted in the database (once per process and data version: `selectors.memo`)."""
    return memoised(("shared_titles",), _shared_titles_count, versioned=True)


def _shared_titles_count() -> int:
    return (
        RomeAppellation.objects.current()
        .values("label")
        .annotate(codes=Count("rome_code", distinct=True))
        .filter(codes__gt=1)
        .count()
    )


def rome_fap_pairs(*, batch_ids: Sequence[int]) -> dict[str, str]:
    """ROME code → FAP 2009 code as paired in the given tension batches (the 2019 file names
    the FAP 2009 family of each ROME code; the most frequent pairing wins, then the smallest
    code). Once per process and data version (`selectors.memo`)."""
    return memoised(
        ("rome_fap", tuple(sorted(batch_ids))), lambda: _rome_fap_pairs(batch_ids), versioned=True
    )


def _rome_fap_pairs(batch_ids: Sequence[int]) -> dict[str, str]:
    rows = (
        TensionFact.objects.filter(batch_id__in=list(batch_ids))
        .exclude(fap2009_code="")
        .values_list("rome_code", "fap2009_code")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=[c.ROME_CODE, c.FAP2009_CODE])
    if frame.empty:
        return {}
    counts = frame.value_counts().rename("n").reset_index()
    counts = counts.sort_values(
        [c.ROME_CODE, "n", c.FAP2009_CODE], ascending=[True, False, True], kind="mergesort"
    )
    first = counts.drop_duplicates(c.ROME_CODE)
    return dict(zip(first[c.ROME_CODE], first[c.FAP2009_CODE], strict=True))


def population_age_frame(*, batch_ids: Sequence[int]) -> pd.DataFrame:
    """POPULATION_AGE (all sexes together only: « ensemble ») of the given batches; every
    département (France and the region are sums of them), cached per process like the other
    France-wide frames (batches are immutable)."""

    def build() -> pd.DataFrame:
        rows = (
            PopulationAgeFact.objects.filter(batch_id__in=list(batch_ids), sex="ensemble")
            .order_by()
            .values_list("year", "departement_code", "sex", "age_min", "population")
        )
        frame = pd.DataFrame.from_records(list(rows), columns=c.POPULATION_AGE_COLUMNS)
        frame[c.YEAR] = frame[c.YEAR].astype("int64")
        frame[c.AGE_MIN] = frame[c.AGE_MIN].astype("int64")
        frame[c.POPULATION] = frame[c.POPULATION].astype("Float64")
        return frame

    return frame_cached(batches_key("population_age", batch_ids), build)


def population_age_bands(*, batch_ids: Sequence[int]) -> DepartementBands:
    """The age groups of every département and year (`analytics.replacement.departement_bands`)
    of the given population batches, computed once per process from `population_age_frame`:
    a basin's, its region's and France's figures are weighted sums of them."""
    frame = population_age_frame(batch_ids=batch_ids)
    return frame_cached(  # type: ignore[return-value]
        ("population_age_bands", *batches_key("population_age", batch_ids)),
        lambda: departement_bands(frame),  # type: ignore[arg-type,return-value]
        derived=True,
    )


def replacement_references(
    *, batch_ids: Sequence[int], region_departements: Sequence[str]
) -> pd.DataFrame:
    """The region's and France's rows of the replacement indicators
    (`analytics.replacement.replacement_frame` with no basin) of the given population batches:
    the same for every basin of the region, computed once per process like the frame they
    come from (batches are immutable; the key names the region's départements). France's rows
    are computed once for all regions."""
    bands = population_age_bands(batch_ids=batch_ids)
    key = batches_key("population_age", batch_ids)
    france = frame_cached(
        ("replacement_france", *key),
        lambda: replacement_frame(None, shares={}, region_departements=[], bands=bands),
        derived=True,
    )
    departements = tuple(sorted(str(d) for d in region_departements))
    if not departements:
        return france
    return frame_cached(
        ("replacement_region", departements, *key),
        lambda: replacement_frame(
            None,
            shares={},
            region_departements=list(departements),
            references=france,
            bands=bands,
        ),
        derived=True,
    )


def region_departements(region_code: str | None) -> list[str]:
    if not region_code:
        return []
    return memoised(
        ("region_departements", region_code),
        lambda: _region_departements(region_code),
        versioned=True,
    )


def _region_departements(region_code: str) -> list[str]:
    return list(
        Departement.objects.filter(region_id=region_code)
        .order_by("code")
        .values_list("code", flat=True)
    )


def sector_job_seekers_frame(*, batch_ids: Sequence[int]) -> pd.DataFrame:
    """SECTOR_JOB_SEEKERS of the given batches: only the rows on bassins of the referential
    (`bassin_known`); the vintage is the batch's. Cached per process like the other
    France-wide frames (batches are immutable: a lone run no longer reads it every time), and
    looked up once per chunk of a national batch."""
    return memoised(
        ("sector_job_seekers", tuple(sorted(batch_ids))),
        lambda: frame_cached(
            batches_key("defm_secteur", batch_ids),
            lambda: _sector_job_seekers_frame(batch_ids),
        ),
    )


def _sector_job_seekers_frame(batch_ids: Sequence[int]) -> pd.DataFrame:
    rows = (
        DefmSecteurFact.objects.filter(batch_id__in=list(batch_ids), bassin_known=True)
        .order_by("batch_id", "bassin_code", "naf_section")
        .values_list("bassin_code", "batch__vintage", "naf_section", "sector_label", "job_seekers")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=c.SECTOR_JOB_SEEKERS_COLUMNS)
    frame[c.BASSIN_BMO_CODE] = frame[c.BASSIN_BMO_CODE].map(normalise_bassin_bmo_code)
    frame[c.VALUE] = frame[c.VALUE].astype("Float64")
    return frame


def bassin_populations(crosswalk: pd.DataFrame, codes: Iterable[str]) -> dict[str, int]:
    """Legal population of each bassin BMO among `codes` (sum over its communes). In a chunk
    of a national batch every bassin's is summed once (the same sums, row for row)."""
    wanted = {str(code) for code in codes}
    if memo_active():
        every = memoised(
            ("bassin_populations", id(crosswalk)), lambda: _bassin_populations(crosswalk, None)
        )
        return {k: v for k, v in every.items() if k in wanted}
    return _bassin_populations(crosswalk, wanted)


def _bassin_populations(crosswalk: pd.DataFrame, wanted: set[str] | None) -> dict[str, int]:
    rows = (
        crosswalk
        if wanted is None
        else crosswalk[crosswalk[c.BASSIN_BMO_CODE].astype(str).isin(wanted)]
    )
    totals = (
        pd.to_numeric(rows[c.POPULATION])
        .fillna(0)
        .groupby(rows[c.BASSIN_BMO_CODE].astype(str))
        .sum()
    )
    return {str(k): int(v) for k, v in totals.items()}
