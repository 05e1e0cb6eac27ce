"""Placeholder: the rdn port is in progress (issue 10)."""

import keras


def rdn(scale: int = 4, **kwargs) -> keras.Model:
    raise NotImplementedError("rdn is not ported yet")
