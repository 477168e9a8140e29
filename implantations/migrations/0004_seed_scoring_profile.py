"""Seed version 1 of the scoring profile: the default weights, normalisations and sensitivity
settings justified in docs/adr/0008-recommendation-scoring.md.

The parameters are frozen here (a copy of `scoring.DEFAULT_PROFILE` at the time of writing): a
later change of the code's defaults must not rewrite what version 1 was.
"""

import json

from django.db import migrations

PROFILE_V1 = json.loads(
    r"""
{
    "criteria": {
        "bmo_projects_per_1000": {
            "weights": {
                "turnkey": 14,
                "fab_id": 3,
                "progressive": 3
            },
            "normalisation": {
                "method": "minmax",
                "low": 15,
                "high": 60,
                "reverse": false
            }
        },
        "bmo_difficulty_rate": {
            "weights": {
                "turnkey": 10,
                "fab_id": 3,
                "progressive": 2
            },
            "normalisation": {
                "method": "minmax",
                "low": 30,
                "high": 70,
                "reverse": false
            }
        },
        "bmo_trend": {
            "weights": {
                "turnkey": 4,
                "fab_id": 0,
                "progressive": 5
            },
            "normalisation": {
                "method": "minmax",
                "low": -10,
                "high": 10,
                "reverse": false
            }
        },
        "catalogue_gap": {
            "weights": {
                "turnkey": 10,
                "fab_id": 4,
                "progressive": 5
            },
            "normalisation": {
                "method": "minmax",
                "low": 30,
                "high": 90,
                "reverse": false
            }
        },
        "unemployment_rate": {
            "weights": {
                "turnkey": 3,
                "fab_id": 12,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 5,
                "high": 11,
                "reverse": false
            }
        },
        "unemployment_trend": {
            "weights": {
                "turnkey": 0,
                "fab_id": 4,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": -1,
                "high": 1,
                "reverse": false
            }
        },
        "job_seekers_per_1000": {
            "weights": {
                "turnkey": 3,
                "fab_id": 10,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 50,
                "high": 110,
                "reverse": false
            }
        },
        "young_job_seekers_share": {
            "weights": {
                "turnkey": 0,
                "fab_id": 6,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 10,
                "high": 25,
                "reverse": false
            },
            "indicators": [
                "part_demandeurs_moins_26_ans",
                "part_de_moins_26_ans"
            ]
        },
        "neet_share": {
            "weights": {
                "turnkey": 0,
                "fab_id": 7,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 8,
                "high": 25,
                "reverse": false
            },
            "indicators": [
                "part_neet",
                "taux_neet",
                "neet"
            ]
        },
        "dropout_share": {
            "weights": {
                "turnkey": 0,
                "fab_id": 6,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 5,
                "high": 15,
                "reverse": false
            },
            "indicators": [
                "part_decrocheurs",
                "taux_decrochage",
                "decrocheurs"
            ]
        },
        "employed_adults": {
            "weights": {
                "turnkey": 5,
                "fab_id": 0,
                "progressive": 25
            },
            "normalisation": {
                "method": "minmax",
                "low": 70,
                "high": 88,
                "reverse": false
            },
            "indicators": [
                "taux_emploi_25_54",
                "part_actifs_occupes_25_54",
                "part_25_54_ans"
            ],
            "indicator_normalisation": {
                "part_actifs_occupes_25_54": {
                    "method": "minmax",
                    "low": 25,
                    "high": 40,
                    "reverse": false
                },
                "part_25_54_ans": {
                    "method": "minmax",
                    "low": 32,
                    "high": 40,
                    "reverse": false
                }
            }
        },
        "vocational_lycees": {
            "weights": {
                "turnkey": 15,
                "fab_id": 0,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 0,
                "high": 3,
                "reverse": false
            }
        },
        "lycee_distance_km": {
            "weights": {
                "turnkey": 8,
                "fab_id": 0,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 0,
                "high": 30,
                "reverse": true
            }
        },
        "shared_places": {
            "weights": {
                "turnkey": 0,
                "fab_id": 18,
                "progressive": 0
            },
            "normalisation": {
                "method": "minmax",
                "low": 0,
                "high": 3,
                "reverse": false
            }
        },
        "economic_hosts": {
            "weights": {
                "turnkey": 2,
                "fab_id": 0,
                "progressive": 20
            },
            "normalisation": {
                "method": "minmax",
                "low": 0,
                "high": 3,
                "reverse": false
            }
        },
        "cnam_distance_km": {
            "weights": {
                "turnkey": 6,
                "fab_id": 5,
                "progressive": 15
            },
            "normalisation": {
                "method": "minmax",
                "low": 10,
                "high": 80,
                "reverse": false
            }
        },
        "population": {
            "weights": {
                "turnkey": 4,
                "fab_id": 2,
                "progressive": 10
            },
            "normalisation": {
                "method": "minmax",
                "low": 30000,
                "high": 100000,
                "reverse": false
            }
        },
        "epci_commitment": {
            "weights": {
                "turnkey": 6,
                "fab_id": 6,
                "progressive": 7
            },
            "normalisation": {
                "method": "steps",
                "steps": [
                    [
                        0,
                        0.0
                    ],
                    [
                        1,
                        0.4
                    ],
                    [
                        2,
                        0.75
                    ],
                    [
                        3,
                        1.0
                    ]
                ]
            }
        },
        "employer_letters": {
            "weights": {
                "turnkey": 8,
                "fab_id": 2,
                "progressive": 6
            },
            "normalisation": {
                "method": "minmax",
                "low": 0,
                "high": 5,
                "reverse": false
            }
        },
        "premises_lent": {
            "weights": {
                "turnkey": 2,
                "fab_id": 12,
                "progressive": 2
            },
            "normalisation": {
                "method": "steps",
                "steps": [
                    [
                        0,
                        0.0
                    ],
                    [
                        1,
                        1.0
                    ]
                ]
            }
        }
    },
    "top_paths": 5,
    "sensitivity": {
        "draws": 500,
        "spread": 0.2,
        "seed": 20260601,
        "robust_share": 0.8,
        "min_coverage": 0.5,
        "required_pillars": [
            "demand"
        ],
        "weak_sources": [
            "bmo",
            "chomage_ze",
            "defm",
            "catalogue",
            "indicator",
            "lycees",
            "partners"
        ]
    }
}
"""
)


def seed(apps, schema_editor):
    ScoringProfile = apps.get_model("implantations", "ScoringProfile")
    if not ScoringProfile.objects.filter(version=1).exists():
        ScoringProfile.objects.create(
            version=1,
            name="Profil par défaut",
            parameters=PROFILE_V1,
            change_note="Version initiale (ADR 0008).",
        )


def unseed(apps, schema_editor):
    ScoringProfile = apps.get_model("implantations", "ScoringProfile")
    ScoringProfile.objects.filter(version=1, recommendations__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("implantations", "0003_recommendation_assets")]

    operations = [migrations.RunPython(seed, unseed)]
