"""ml_collections config files, one per model: ``--config=configs/rrdb.py``."""
