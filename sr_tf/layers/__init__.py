"""Building blocks shared by several architectures (built-in Keras layers and ops only):
``common`` (convs, upsamplers, padding, mean shift) and ``window_attention`` (the Swin family)."""
