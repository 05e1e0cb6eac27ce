"""Real-ESRGAN's second-order degradations in TensorFlow, equal to BasicSR's.

One job per module: :mod:`kernels` (blur/sinc kernels and their per-sample draws),
:mod:`filtering` (``filter2D``), :mod:`resize` (torch ``interpolate``), :mod:`noise`
(Gaussian/Poisson), :mod:`jpeg` (``DiffJPEG``), :mod:`usm` (``USMSharp``), :mod:`pipeline`
(``feed_data``'s sequence, batched) and :mod:`fixture_replay` (the golden-fixture adapter).
"""

from sr_tf.degradations.fixture_replay import replay_fixture_case

__all__ = ["replay_fixture_case"]
