"""The one CIFAR input pipeline: images, augmentation, normalisation, seeds and protocols.

Every CIFAR image a table was computed on went through these functions: the score
tables, the NTK tables and their after-one-epoch training, and the supernet.

- :mod:`.shipped`: the shipped images as tensors, decoded once per process;
- :mod:`.augmentation`: random crop (zero padding 4) and horizontal flip, with each shipped
  table's draw order;
- :mod:`.normalisation`: ``(x - mean) / std`` with each official code's constants;
- :mod:`.seeds`: seeds derived from names (SHA-256 or CRC-32);
- :mod:`.protocols`: one :class:`Protocol` record per convention and :func:`draw_batch`.
"""
from .augmentation import ORDERS, augment
from .shipped import BATCH_SPLIT, DATASETS, NUM_CLASSES, batch_images, check_dataset, images
from .normalisation import CONVENTIONS, NORMALISATIONS, normalise
from .protocols import PROTOCOLS, Protocol, batch_seed, draw_batch
from .seeds import seed_for

__all__ = ["BATCH_SPLIT", "CONVENTIONS", "DATASETS", "NORMALISATIONS", "NUM_CLASSES", "ORDERS", "PROTOCOLS",
           "Protocol", "augment", "batch_images", "batch_seed", "check_dataset", "draw_batch", "images",
           "normalise", "seed_for"]
