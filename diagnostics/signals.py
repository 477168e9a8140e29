"""Receivers that feed the audit log (diagnostics.services.audit) from Django's auth signals,
django-axes' lockout signal and the saves/deletions of the audited models. They only call
`audit_record`: the request being served (middleware) says who and from where.

Connected in DiagnosticsConfig.ready(). Models of other apps are looked up by label, so this
module imports nothing above diagnostics."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from diagnostics.models import AuditAction, BasinShare, ImportBatch, User
from diagnostics.selectors.tokens import api_token_cache_forget_user
from diagnostics.services.audit import audit_record

# Deleting one of these is recorded (whoever deletes it: page, admin, command).
DELETIONS = {
    "diagnostics.Basin": AuditAction.BASIN_DELETE,
    "diagnostics.DiagnosticRun": AuditAction.RUN_DELETE,
    "implantations.ImplantationProject": AuditAction.PROJECT_DELETE,
}


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, request=request)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    username = str(credentials.get("username") or "")
    audit_record(action=AuditAction.LOGIN_FAILED, username=username, request=request)


def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, request=request)


def _on_locked_out(
    sender: Any, request: Any = None, username: Any = None, ip_address: Any = None, **kw: Any
) -> None:
    audit_record(
        action=AuditAction.LOCKOUT,
        username=str(username or ""),
        request=request,
        ip_address=ip_address or None,
    )


def _on_share_saved(sender: Any, instance: BasinShare, created: bool, **kwargs: Any) -> None:
    if created:
        audit_record(
            action=AuditAction.SHARE,
            target=instance.basin,
            details={"shared_with": instance.user.get_username()},
        )


def _on_share_deleted(sender: Any, instance: BasinShare, **kwargs: Any) -> None:
    audit_record(
        action=AuditAction.UNSHARE,
        target_type="diagnostics.Basin",
        target_id=instance.basin_id,
        target_label=_basin_label(instance.basin_id),
        details={
            "shared_with": User.objects.filter(pk=instance.user_id)
            .values_list("username", flat=True)
            .first()
            or ""
        },
    )


def _basin_label(basin_id: int) -> str:
    from diagnostics.models import Basin

    return Basin.objects.filter(pk=basin_id).values_list("name", flat=True).first() or ""


def _on_import_saved(sender: Any, instance: ImportBatch, created: bool, **kwargs: Any) -> None:
    if created:
        audit_record(
            action=AuditAction.IMPORT,
            actor=instance.uploaded_by,
            target=instance,
            target_label=instance.file_name,
            details={"kind": instance.kind or "", "sha256": instance.sha256},
        )


def _deletion_receiver(action: AuditAction) -> Any:
    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        audit_record(action=action, target=instance)

    return receiver


def _on_user_pre_save(sender: Any, instance: User, update_fields: Any = None, **kw: Any) -> None:
    if instance.pk is None or (update_fields is not None and "role" not in update_fields):
        return
    instance._audit_old_role = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    )


def _on_user_saved(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    if created:
        instance._audit_created = True  # type: ignore[attr-defined]
        audit_record(
            action=AuditAction.USER_CREATE, target=instance, details={"role": instance.role}
        )
        return
    instance.__dict__.pop("_audit_created", None)
    old = getattr(instance, "_audit_old_role", None)
    if old is not None and old != instance.role:
        audit_record(
            action=AuditAction.ROLE_CHANGE,
            target=instance,
            details={"role_before": old, "role_after": instance.role},
        )
    instance._audit_old_role = instance.role  # type: ignore[attr-defined]


def _on_user_regions(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
    if action not in {"post_add", "post_remove", "post_clear"} or not isinstance(instance, User):
        return
    if action == "post_add" and instance.__dict__.pop("_audit_created", False):
        return  # the regions given at the account's creation, recorded with it
    codes = sorted(instance.regions.values_list("code", flat=True))
    audit_record(
        action=AuditAction.ROLE_CHANGE,
        target=instance,
        details={"regions_after": codes, "change": action.removeprefix("post_")},
    )


def _forget_user_tokens(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A user's role, state or regions changed: its cached API tokens are read again."""
    action = kwargs.get("action")
    if isinstance(instance, User):
        if instance.pk is not None and action in (None, "post_add", "post_remove", "post_clear"):
            api_token_cache_forget_user(instance.pk)
    elif action in ("post_add", "post_remove"):  # region.users.add(...): those users
        for user_id in kwargs.get("pk_set") or ():
            api_token_cache_forget_user(user_id)
    elif action == "pre_clear":  # region.users.clear(): its users, before they are gone
        for user_id in instance.users.values_list("pk", flat=True):
            api_token_cache_forget_user(user_id)


def _forget_token(sender: Any, instance: Any, **kwargs: Any) -> None:
    from diagnostics.selectors.tokens import api_token_cache_forget

    api_token_cache_forget(key_hashes=[instance.key_hash])


def connect() -> None:
    from axes.signals import user_locked_out

    uid = "cnam-audit"
    user_logged_in.connect(_on_login, dispatch_uid=f"{uid}-login")
    user_login_failed.connect(_on_login_failed, dispatch_uid=f"{uid}-login-failed")
    user_logged_out.connect(_on_logout, dispatch_uid=f"{uid}-logout")
    user_locked_out.connect(_on_locked_out, dispatch_uid=f"{uid}-lockout")
    post_save.connect(_on_share_saved, sender=BasinShare, dispatch_uid=f"{uid}-share")
    post_delete.connect(_on_share_deleted, sender=BasinShare, dispatch_uid=f"{uid}-unshare")
    post_save.connect(_on_import_saved, sender=ImportBatch, dispatch_uid=f"{uid}-import")
    pre_save.connect(_on_user_pre_save, sender=User, dispatch_uid=f"{uid}-user-pre")
    post_save.connect(_on_user_saved, sender=User, dispatch_uid=f"{uid}-user")
    m2m_changed.connect(
        _on_user_regions, sender=User.regions.through, dispatch_uid=f"{uid}-user-regions"
    )
    for label, action in DELETIONS.items():
        if apps.is_installed(label.split(".")[0]):
            post_delete.connect(
                _deletion_receiver(action),
                sender=apps.get_model(label),
                dispatch_uid=f"{uid}-delete-{label}",
                weak=False,
            )
    # The API tokens' cache (diagnostics.selectors.tokens) forgets what changed.
    from diagnostics.models import ApiToken

    post_save.connect(_forget_user_tokens, sender=User, dispatch_uid="api-token-cache-user")
    post_delete.connect(_forget_user_tokens, sender=User, dispatch_uid="api-token-cache-user-del")
    m2m_changed.connect(
        _forget_user_tokens, sender=User.regions.through, dispatch_uid="api-token-cache-regions"
    )
    post_save.connect(_forget_token, sender=ApiToken, dispatch_uid="api-token-cache-token")
    post_delete.connect(_forget_token, sender=ApiToken, dispatch_uid="api-token-cache-token-del")
    # API tokens: recorded by diagnostics.services.tokens (create, revoke).
