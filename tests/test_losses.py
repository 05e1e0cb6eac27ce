"""BasicSR's perceptual loss from torchvision's VGG19 file, read without PyTorch."""

import numpy as np
import pytest

from helpers.vgg_golden import LAYER_WEIGHTS, images, vgg19_state
from sr_tf.errors import WeightImportError
from sr_tf.losses import PerceptualLoss
from test_checkpoint_safety import Storage, Tensor, zip_pth

# What tests/helpers/vgg_golden.py prints: BasicSR's VGGFeatureExtractor + PerceptualLoss in
# PyTorch 2.13 on those weights and images.
BASICSR_LOSS = 0.7484155498445034
KERAS_NAMES = {f"block{k[4]}_conv{k[6]}": w for k, w in LAYER_WEIGHTS.items()}


def write_pth(path, state: dict[str, np.ndarray]):
    """``torch.save(state_dict)`` (zip format) without PyTorch."""
    tensors, storages = {}, {}
    for i, (name, array) in enumerate(state.items()):
        strides = tuple(int(np.prod(array.shape[d + 1:])) for d in range(array.ndim))
        tensors[name] = Tensor(Storage(str(i), array.size), 0, array.shape, strides)
        storages[str(i)] = array.astype("<f4").tobytes()
    return zip_pth(path, tensors, storages)


def test_perceptual_loss_on_torchvision_vgg19_equals_basicsr(tmp_path):
    """The Real-ESRGAN perceptual loss (conv1_2 .. conv5_4 before ReLU, 0.1/0.1/1/1/1, ImageNet
    input normalisation) on a torchvision-layout ``.pth`` equals BasicSR's value. Deliberate
    bugs seen failing: Keras's Caffe preprocessing kept for torchvision weights; kernels
    transposed (3, 2, 1, 0) (kh and kw swapped); features taken after the ReLU."""
    weights = write_pth(tmp_path / "vgg19-dcbb9e9d.pth", vgg19_state())
    loss = PerceptualLoss(KERAS_NAMES, weights)
    sr, hr = images()
    assert float(loss(sr, hr)) == pytest.approx(BASICSR_LOSS, rel=1e-5)


def test_a_file_that_is_not_vgg19_is_one_line(tmp_path):
    """Deliberate bug seen failing: a truncated state dict loaded the convs it had, the rest
    left random."""
    state = vgg19_state()
    del state["features.34.weight"], state["features.34.bias"]
    weights = write_pth(tmp_path / "not_vgg.pth", state)
    with pytest.raises(WeightImportError, match="not_vgg.pth: 15 features.*not the 16"):
        PerceptualLoss(KERAS_NAMES, weights)
