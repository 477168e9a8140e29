"""Django admin: users and their roles, territorial reference data, basins and their shares,
dataset imports (batches, reference nomenclatures and lycées, fact tables: all read-only).

The admin is for staff users. National admins are superusers (see `services.accounts`) and can
do everything; what catalogue admins may touch is decided by role (`RoleAdminMixin`), not by
Django's per-model permissions, so that the role stays the one source of truth.

One module per topic (issue 11): `roles` (the mixins), `users`, `territories`, `basins`,
`imports`, `tokens`, `audit`, `sharing` (partner organisations, shared versions); importing
this package registers them all.
"""

from diagnostics.admin import audit, basins, imports, sharing, territories, tokens, users

__all__ = [
    # Imported for their registrations.
    "audit",
    "basins",
    "imports",
    "sharing",
    "territories",
    "tokens",
    "users",
]
