"""Labour-market files for the synthetic demo territory, written in the publishers' layouts.

Pure and seeded (numpy, pandas, openpyxl through pandas): from the territory frames of
`synthetic.synthetic_territory` and the métier and ROME codes the catalogue links to, build the
bytes of the files a delegate would download, so that the demo imports them through the real
importers (same sheets, columns, separators, decimal commas and masked cells « * »):

- BMO (France Travail), one XLSX per campaign 2023, 2024, 2025: sheet `BMO_<year>_open_data`
  after a `Description des variables` sheet, one row per bassin BMO × département × métier; the
  2023 column order (BE23 before Dept) and FAP 2009 based métier codes (`A0Z40`), FAP 2021 based
  codes (`A0X40`) from 2024; counts written as text like the originals, small counts masked `*`;
- localised unemployment (Insee), XLSX `txcho_ze` (title lines, label row, `ZE2020, LIBZE2020,
  REG, LIBREG, 2016-T1…`), quarterly from 2016-T1 to 2025-T2;
- job seekers A+B+C (France Travail STMT as exported by ODIS), CSV `codgeo,YEAR,Demandeurs_Emploi`
  (`janvier_2021`…), for communes of 5,000 inhabitants or more, départements and régions (`regNN`),
  rounded to the ten, January 2021 to June 2025;
- DARES tension indicators per ROME × bassin BMO, CSV `;` with decimal commas, 2019 layout
  (`libfap;ROME;fap;annee;…`) and 2021 layout (with the complementary factors);
- the annuaire de l'éducation, official 69-column layout (`;`, UTF-8 with BOM), with the lycées'
  `Voie_professionnelle` / `Voie_technologique` flags, and a few schools and collèges that the
  importer leaves out;
- a ROME codes referential restricted to the codes used (needed by the tension importer), whose
  labels say they are placeholders.

Every file name carries « demo-fictif » and the content is invented: the figures are plausible
(BMO projects 20-60 per 1,000 inhabitants, difficult and seasonal projects never above the
projects, unemployment 5-12 %, job seekers around 8 % of the population) and consistent between
files (the same bassin keeps its size and trend across campaigns), never real.

The files are built in `synthetic_bmo_file`, `synthetic_labour_files` and
`synthetic_reference_files` on the helpers of `synthetic_file_common`; this module lists and
assembles them (`demo_file_names`, `demo_files`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from diagnostics.analytics import synthetic_population as sp
from diagnostics.analytics.synthetic_bmo_file import (
    bmo_file,
    bmo_frames,
)
from diagnostics.analytics.synthetic_file_common import (
    BMO_YEARS,
    DEMO_FILES_SEED,
    DEMO_LABEL,
    FILE_TAG,
    JOB_SEEKER_MONTHS,
    TENSION_YEARS,
    UNEMPLOYMENT_QUARTERS,
)
from diagnostics.analytics.synthetic_labour_files import (
    job_seekers_file,
    job_seekers_frame,
    tension_file,
    tension_frames,
    unemployment_file,
    unemployment_frame,
)
from diagnostics.analytics.synthetic_reference_files import (
    lycees_file,
    lycees_frame,
    rome_file,
)


@dataclass(frozen=True)
class DemoFile:
    """A generated file: the importer kind, the file name, its bytes and its vintage."""

    kind: str
    name: str
    content: bytes
    vintage: str


def demo_file_names() -> list[str]:
    """The names of the files `demo_files` returns, in the same order, without building them."""
    return [
        f"unix_referentiel_code_rome_v460_{FILE_TAG}.csv",
        f"chomage-zone-t1-2016-t2-2025_{FILE_TAG}.xlsx",
        f"emploi_demandeur_{FILE_TAG}.csv",
        *(f"tensions_rome_bassin_{year}_{FILE_TAG}.csv" for year in TENSION_YEARS),
        f"fr-en-annuaire-education_{FILE_TAG}.csv",
        f"estim-pop-dep-sexe-aq-2011-2021_{FILE_TAG}.xlsx",
        f"secteurs_bassins_defm_{FILE_TAG}.csv",
        *(f"Base_open_data_BMO_{year}_{FILE_TAG}.xlsx" for year in BMO_YEARS),
    ]


def demo_files(
    frames: dict[str, pd.DataFrame],
    *,
    metiers: Sequence[str],
    romes: Sequence[str],
    rome_fap: Sequence[tuple[str, str]],
    equivalents: Mapping[str, Sequence[str]] | None = None,
    seed: int = DEMO_FILES_SEED,
) -> list[DemoFile]:
    """All the demo files, in import order (referentials first, BMO campaigns last, oldest
    first). Same inputs and seed, same bytes (the XLSX writer's timestamps aside)."""
    files = [
        DemoFile("rome", f"unix_referentiel_code_rome_v460_{FILE_TAG}.csv",
                 rome_file(sorted(set(romes) | {r for r, _ in rome_fap})), "v460"),
        DemoFile("chomage_ze", f"chomage-zone-t1-2016-t2-2025_{FILE_TAG}.xlsx",
                 unemployment_file(unemployment_frame(frames, seed=seed)),
                 UNEMPLOYMENT_QUARTERS[-1]),
        DemoFile("defm", f"emploi_demandeur_{FILE_TAG}.csv",
                 job_seekers_file(job_seekers_frame(frames, seed=seed)),
                 f"{JOB_SEEKER_MONTHS[-1][0]}-{JOB_SEEKER_MONTHS[-1][1]:02d}"),
    ]  # fmt: skip
    for year, frame in tension_frames(frames, romes=romes, rome_fap=rome_fap, seed=seed).items():
        files.append(
            DemoFile("tensions", f"tensions_rome_bassin_{year}_{FILE_TAG}.csv",
                     tension_file(frame, year=year), str(year))
        )  # fmt: skip
    files.append(
        DemoFile("lycees", f"fr-en-annuaire-education_{FILE_TAG}.csv",
                 lycees_file(lycees_frame(frames, seed=seed)), "")
    )  # fmt: skip
    # The prospective section's sources (issue 17), before the BMO campaigns (the demo
    # computes a first run before the last campaign).
    files.append(
        DemoFile("population_age", f"estim-pop-dep-sexe-aq-2011-2021_{FILE_TAG}.xlsx",
                 sp.population_age_file(sp.population_age_frame(frames, seed=seed),
                                        label=DEMO_LABEL),
                 str(sp.POPULATION_YEARS[-1]))
    )  # fmt: skip
    files.append(
        DemoFile("defm_secteur", f"secteurs_bassins_defm_{FILE_TAG}.csv",
                 sp.sector_job_seekers_file(frames, seed=seed), "2024")
    )  # fmt: skip
    for year, frame in bmo_frames(
        frames, metiers=metiers, equivalents=equivalents, seed=seed
    ).items():
        files.append(
            DemoFile("bmo", f"Base_open_data_BMO_{year}_{FILE_TAG}.xlsx",
                     bmo_file(frame, year=year), str(year))
        )  # fmt: skip
    return files
