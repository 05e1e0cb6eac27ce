"""Golden numbers for BasicSR's perceptual loss on torchvision's VGG19 layout.

``vgg19_state`` and ``images`` are numpy only (the test rebuilds them); running this file needs
PyTorch and prints what ``tests/test_losses.py`` pins: torchvision's ``vgg19().features``
(config "E": 3x3 convs with padding 1, ReLU, 2x2 max pools), loaded with these weights, then
BasicSR's ``VGGFeatureExtractor`` (input norm on, features cloned before the ReLU) and
``PerceptualLoss`` (criterion l1, the Real-ESRGAN layer weights), as in BasicSR 2ca24be
``basicsr/archs/vgg_arch.py`` and ``basicsr/losses/basic_loss.py``.
"""

from __future__ import annotations

import numpy as np

CONFIG_E = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
            512, 512, 512, 512, "M"]
# BasicSR's names of the pre-activation outputs and the Real-ESRGAN weights.
LAYER_WEIGHTS = {"conv1_2": 0.1, "conv2_2": 0.1, "conv3_4": 1.0, "conv4_4": 1.0, "conv5_4": 1.0}


def vgg19_state(seed: int = 0) -> dict[str, np.ndarray]:
    """A torchvision-layout VGG19 ``features`` state dict (OIHW), He-scaled random numbers."""
    rng = np.random.default_rng(seed)
    state, channels, index = {}, 3, 0
    for item in CONFIG_E:
        if item == "M":
            index += 1
            continue
        fan_in = channels * 9
        state[f"features.{index}.weight"] = (rng.standard_normal((item, channels, 3, 3))
                                             * np.sqrt(2 / fan_in)).astype(np.float32)
        state[f"features.{index}.bias"] = (0.01 * rng.standard_normal(item)).astype(np.float32)
        channels, index = item, index + 2                     # conv, ReLU
    return state


def images(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(SR, HR), NHWC float32 in [0, 1], 2 x 32 x 32 x 3."""
    rng = np.random.default_rng(seed)
    hr = rng.random((2, 32, 32, 3), dtype=np.float32)
    sr = np.clip(hr + 0.1 * rng.standard_normal(hr.shape, dtype=np.float32), 0, 1)
    return sr, hr


def main() -> None:
    import torch
    from torch import nn

    modules, names, channels, block, conv = [], [], 3, 1, 1
    for item in CONFIG_E:
        if item == "M":
            modules.append(nn.MaxPool2d(kernel_size=2, stride=2))
            names.append(f"pool{block}")
            block, conv = block + 1, 1
            continue
        modules += [nn.Conv2d(channels, item, 3, padding=1), nn.ReLU(inplace=True)]
        names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
        channels, conv = item, conv + 1
    features = nn.Sequential(*modules)
    features.load_state_dict({k.removeprefix("features."): torch.from_numpy(v)
                              for k, v in vgg19_state().items()})
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)

    def extract(x):
        x = (torch.from_numpy(x).permute(0, 3, 1, 2) - mean) / std
        out = {}
        for name, layer in zip(names, features):
            x = layer(x)
            if name in LAYER_WEIGHTS:
                out[name] = x.clone()
        return out

    sr, hr = images()
    with torch.no_grad():
        a, b = extract(sr), extract(hr)
        terms = {k: float(nn.L1Loss()(a[k], b[k])) for k in LAYER_WEIGHTS}
    print("per layer:", terms)
    print("loss:", sum(LAYER_WEIGHTS[k] * v for k, v in terms.items()))


if __name__ == "__main__":
    main()
