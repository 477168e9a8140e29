"""Shared references (issue 16): computed once per data vintages, stored, read by every run.

`references_for(...)` returns the `analytics.references.EngineReferences` of the data a run is
computed from: from this process's memory, else from the `SharedReference` row of the same key
(a batch stored it, or a previous run did), else computed now and stored. The key hashes the
import batches (id + file hash), the territories' version and the engine version: new data or a
new engine gives a new key, never a stale reference.

The payload is a pickle followed by an HMAC-SHA256 of it keyed by the SECRET_KEY; a row whose
HMAC does not match (not written by this application) is deleted and recomputed, never
unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from time import perf_counter
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction

from diagnostics.analytics.references import EngineReferences, engine_references
from diagnostics.models import ImportBatch, SharedReference

logger = logging.getLogger(__name__)

REFERENCES_VERSION = "1"
_MAC_SIZE = 32
_memory: OrderedDict[str, EngineReferences] = OrderedDict()
_memory_lock = threading.Lock()
_MEMORY_SIZE = 4


def references_key(
    *, batch_ids: Sequence[int], territories_version: Any, engine_version: str
) -> str:
    """SHA-256 of what the references follow from."""
    batches = sorted(
        ImportBatch.objects.filter(pk__in=list(batch_ids)).values_list("pk", "kind", "sha256")
    )
    payload = json.dumps(
        {
            "batches": batches,
            "territories": [str(v) for v in territories_version],
            "engine": engine_version,
            "references": REFERENCES_VERSION,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _mac(data: bytes) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), data, hashlib.sha256).digest()


def _dump(references: EngineReferences) -> bytes:
    data = pickle.dumps(references, protocol=pickle.HIGHEST_PROTOCOL)
    return data + _mac(data)


def _load(payload: bytes) -> EngineReferences | None:
    data, mac = payload[:-_MAC_SIZE], payload[-_MAC_SIZE:]
    if len(payload) <= _MAC_SIZE or not hmac.compare_digest(mac, _mac(data)):
        return None
    loaded = pickle.loads(data)  # noqa: S301 - authenticated by the HMAC above
    return loaded if isinstance(loaded, EngineReferences) else None


def _remember(key: str, references: EngineReferences) -> EngineReferences:
    with _memory_lock:
        _memory[key] = references
        _memory.move_to_end(key)
        while len(_memory) > _MEMORY_SIZE:
            _memory.popitem(last=False)
    return references


def references_memory_clear() -> None:
    with _memory_lock:
        _memory.clear()


def references_for(
    *,
    key: str,
    engine_version: str,
    frames: Callable[[], tuple[pd.DataFrame, pd.DataFrame | None, pd.DataFrame | None]],
    store: bool = True,
) -> tuple[EngineReferences, str]:
    """The references of `key` and where they came from (« mémoire », « base », « calcul »).
    `frames()` gives (communes, bmo, unemployment) when they must be computed; with `store`
    False a computed reference is kept in memory only."""
    with _memory_lock:
        if key in _memory:
            _memory.move_to_end(key)
            return _memory[key], "mémoire"
    row = SharedReference.objects.filter(key=key).first()
    if row is not None:
        loaded = _load(bytes(row.payload))
        if loaded is not None:
            return _remember(key, loaded), "base"
        logger.warning("shared reference %s: bad signature, recomputed", key[:12])
        SharedReference.objects.filter(pk=row.pk).delete()
    started = perf_counter()
    communes, bmo, unemployment = frames()
    references = engine_references(communes=communes, bmo=bmo, unemployment=unemployment)
    seconds = perf_counter() - started
    if store:
        payload = _dump(references)
        try:
            with transaction.atomic():
                SharedReference.objects.create(
                    key=key,
                    engine_version=engine_version,
                    payload=payload,
                    size_bytes=len(payload),
                    compute_seconds=round(seconds, 3),
                )
        except IntegrityError:  # computed concurrently by another worker: same content
            pass
    return _remember(key, references), "calcul"
