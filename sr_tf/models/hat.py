"""Placeholder: the hat port is in progress (issue 10)."""

import keras


def hat(scale: int = 4, **kwargs) -> keras.Model:
    raise NotImplementedError("hat is not ported yet")
