"""Placeholder: the srvgg port is in progress (issue 10)."""

import keras


def srvgg(scale: int = 4, **kwargs) -> keras.Model:
    raise NotImplementedError("srvgg is not ported yet")
