"""Placeholder: the rcan port is in progress (issue 10)."""

import keras


def rcan(scale: int = 4, **kwargs) -> keras.Model:
    raise NotImplementedError("rcan is not ported yet")
