"""Placeholder: the swinir port is in progress (issue 10)."""

import keras


def swinir(scale: int = 4, **kwargs) -> keras.Model:
    raise NotImplementedError("swinir is not ported yet")
