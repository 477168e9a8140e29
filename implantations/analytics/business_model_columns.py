"""Columns of the business model's year table (`BusinessModel.years`) and their French labels: the
cost and revenue items, the balance and the public aid.
"""

from __future__ import annotations

YEAR = "year"
LEARNERS = "learners"
SERVICES_LEARNERS = "services_learners"
STAFF_FTE = "staff_fte"
GTEC = "gtec"
INVESTMENT = "investment"
STAFF = "staff"
SERVICES = "services"
TEACHING = "teaching"
OVERHEADS = "overheads"
PREMISES = "premises"
COSTS = "costs"
CPF = "cpf"
CPF_TOPUP = "cpf_topup"
REGION = "region"
OPCO = "opco"
FEES = "fees"
ARDAN = "ardan"
SERVICES_REVENUE = "services_revenue"
REVENUES = "revenues"
BALANCE = "balance"
PUBLIC_AID = "public_aid"
FUNDED_AID = "funded_aid"
BALANCE_AFTER_AID = "balance_after_aid"
CUMULATIVE_BALANCE = "cumulative_balance"
PUBLIC_SHARE = "public_share"
YEAR_COLUMNS = [
    YEAR, LEARNERS, SERVICES_LEARNERS, STAFF_FTE, GTEC, INVESTMENT, STAFF, SERVICES, TEACHING,
    OVERHEADS, PREMISES, COSTS, CPF, CPF_TOPUP, REGION, OPCO, FEES, ARDAN, SERVICES_REVENUE,
    REVENUES, BALANCE, PUBLIC_AID, FUNDED_AID, BALANCE_AFTER_AID, CUMULATIVE_BALANCE,
    PUBLIC_SHARE,
]  # fmt: skip
COST_ITEMS = {
    GTEC: "Analyse GTEC",
    INVESTMENT: "Investissement",
    STAFF: "Personnel de pilotage",
    SERVICES: "Services (accueil, orientation…)",
    TEACHING: "Enseignement",
    OVERHEADS: "Frais de structure",
    PREMISES: "Locaux",
}
REVENUE_ITEMS = {
    CPF: "CPF",
    CPF_TOPUP: "Abondement CPF",
    REGION: "Région",
    OPCO: "OPCO et alternance",
    FEES: "Droits d'inscription",
    ARDAN: "Ardan",
    SERVICES_REVENUE: "Services facturés",
}
YEAR_LABELS = {
    YEAR: "Année",
    LEARNERS: "Apprenants",
    SERVICES_LEARNERS: "Apprenants amenés par les services",
    STAFF_FTE: "Personnel (ETP, services compris)",
    **COST_ITEMS,
    COSTS: "Total des coûts",
    **REVENUE_ITEMS,
    REVENUES: "Total des recettes",
    BALANCE: "Solde",
    PUBLIC_AID: "Aide publique nécessaire",
    FUNDED_AID: "Financements prévus (par financeur)",
    BALANCE_AFTER_AID: "Solde après financements",
    CUMULATIVE_BALANCE: "Solde cumulé",
    PUBLIC_SHARE: "Part du public adressable",
}
