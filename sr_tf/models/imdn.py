"""Placeholder: the imdn port is in progress (issue 10)."""

import keras


def imdn(scale: int = 4, **kwargs) -> keras.Model:
    raise NotImplementedError("imdn is not ported yet")
