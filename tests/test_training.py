"""Training: loss mix, GAN step, replica-count scaling, multi-worker sync, kill/resume, SIGTERM."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import ROOT, run_python
from sr_tf.losses import PerceptualLoss, adversarial_losses, pixel_loss
from sr_tf.models import build_discriminator, build_generator
from sr_tf.trainers import GANTrainer, PixelLossWeights, SRTrainer

TINY = ROOT / "tests" / "helpers" / "tiny_config.py"


def test_pixel_loss_mix():
    sr, hr = tf.constant([[0.0, 1.0]]), tf.constant([[0.5, 0.0]])
    l1, l2 = 0.75, (0.25 + 1.0) / 2
    assert float(pixel_loss(sr, hr, l1=2.0, l2=1.0)) == pytest.approx(2 * l1 + l2)
    charb = float(pixel_loss(sr, hr, l1=0.0, charbonnier=1.0, eps=1e-3))
    assert charb == pytest.approx(l1, abs=1e-3)


def test_adversarial_losses():
    real, fake = tf.constant([[5.0]]), tf.constant([[-5.0]])
    g, d = adversarial_losses(real, fake, "vanilla")
    assert float(d) < 0.01 and float(g) > 4.9
    g, d = adversarial_losses(real, fake, "relativistic")
    assert float(d) < 0.01 and float(g) > 9.9
    with pytest.raises(ValueError, match="relativistic"):
        adversarial_losses(real, fake, "wgan")


def _batch(rng, n=2, size=32, scale=2):
    hr = rng.integers(0, 256, (n, size, size, 3)).astype(np.uint8)
    return hr[:, ::scale, ::scale], hr


def test_sr_trainer_lowers_the_loss(rng):
    trainer = SRTrainer(build_generator("edsr", 2, num_blocks=1, filters=16), 2,
                        PixelLossWeights(l1=2.0, l2=1.0))
    trainer.optimizer = keras.optimizers.Adam(1e-3)
    batch = _batch(rng)
    step = tf.function(trainer.train_step)
    first = float(step(batch)["loss"])
    for _ in range(30):
        last = float(step(batch)["loss"])
    assert last < first


def test_y_channel_trainer_runs(rng):
    trainer = SRTrainer(build_generator("vdsr", 2, depth=3), 2, PixelLossWeights(l1=0, l2=1))
    trainer.optimizer = keras.optimizers.Adam(1e-3, global_clipnorm=0.4)
    assert np.isfinite(float(tf.function(trainer.train_step)(_batch(rng))["loss"]))


@pytest.mark.parametrize("discriminator,adversarial", [("vgg", "relativistic"),
                                                       ("unet", "vanilla")])
def test_gan_step_updates_both_networks(discriminator, adversarial, rng):
    generator = build_generator("srresnet", 2, num_blocks=1, filters=16)
    kwargs = {"patch_size": 32} if discriminator == "vgg" else {}
    disc = build_discriminator(discriminator, filters=8, **kwargs)
    perceptual = PerceptualLoss({"block1_conv2": 1.0, "block2_conv2": 0.5}, weights=None)
    trainer = GANTrainer(generator, disc, 2, perceptual, adversarial)
    trainer.optimizer = keras.optimizers.Adam(1e-4)
    trainer.d_optimizer = keras.optimizers.Adam(1e-4)
    g0, d0 = generator.get_weights()[0].copy(), disc.get_weights()[0].copy()
    logs = tf.function(trainer.train_step)(_batch(rng, size=32))
    assert set(logs) == {"loss", "pixel", "perceptual", "g_adv", "d_loss"}
    assert not np.allclose(generator.get_weights()[0], g0)
    assert not np.allclose(disc.get_weights()[0], d0)


def test_missing_vgg_weights_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="VGG19 weights file .* not found"):
        PerceptualLoss({"block5_conv4": 1.0}, weights=str(tmp_path / "vgg19.h5"))


def test_one_step_on_one_and_two_replicas_gives_the_same_weights(tmp_path):
    run_python(["tests/helpers/one_step.py", "1", str(tmp_path / "one.npz")])
    run_python(["tests/helpers/one_step.py", "2", str(tmp_path / "two.npz")])
    one, two = np.load(tmp_path / "one.npz"), np.load(tmp_path / "two.npz")
    assert len(one.files) == len(two.files) > 0
    for key in one.files:
        np.testing.assert_allclose(one[key], two[key], atol=1e-6)


@pytest.fixture
def train_data(tmp_path, rng):
    from conftest import write_png
    folder = tmp_path / "data"
    for i in range(3):
        write_png(folder / f"{i}.png", rng.integers(0, 256, (48, 48, 3)).astype(np.uint8))
    return folder


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.slow
def test_two_workers_stay_in_sync(tmp_path, train_data):
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    procs = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CONFIG": json.dumps(config), "PYTHONPATH": str(ROOT),
               "SR_TF_TEST_DATA": str(train_data), "TF_CPP_MIN_LOG_LEVEL": "2"}
        procs.append(subprocess.Popen(
            [sys.executable, "tests/helpers/worker.py", str(tmp_path / f"w{index}"),
             str(tmp_path / f"w{index}.npz")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True))
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs[0][-3000:] + outputs[1][-3000:]
    first, second = np.load(tmp_path / "w0.npz"), np.load(tmp_path / "w1.npz")
    assert len(first.files) > 0 and first.files == second.files
    for key in first.files:
        np.testing.assert_array_equal(first[key], second[key])


def _train_cmd(workdir, steps):
    return [sys.executable, "main.py", "--mode=train", f"--config={TINY}", f"--workdir={workdir}",
            f"--config.train.steps={steps}", "--config.train.ckpt_every=10"]


def _latest_step(workdir):
    latest = tf.train.latest_checkpoint(str(workdir / "checkpoints"))
    return int(latest.rsplit("-", 1)[1]) if latest else 0


def _start(workdir, steps, env):
    return subprocess.Popen(_train_cmd(workdir, steps), cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_checkpoint(proc, workdir, at_least=10, timeout=240):
    deadline = time.time() + timeout
    while _latest_step(workdir) < at_least:
        assert proc.poll() is None, proc.stdout.read()[-3000:]
        assert time.time() < deadline, "no checkpoint written in time"
        time.sleep(0.05)


@pytest.mark.slow
def test_sigkill_then_restart_resumes_from_last_checkpoint(tmp_path, train_data):
    env = {**os.environ, "SR_TF_TEST_DATA": str(train_data), "PYTHONPATH": str(ROOT)}
    workdir = tmp_path / "run"
    proc = _start(workdir, 100_000, env)
    _wait_for_checkpoint(proc, workdir)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = _latest_step(workdir)
    assert 10 <= saved < 100_000
    total = saved + 15
    result = subprocess.run(_train_cmd(workdir, total), cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "resumed from" in result.stderr and f"at step {saved}" in result.stderr
    assert json.loads((workdir / "metrics.json").read_text())["step"] == total
    assert _latest_step(workdir) == total


@pytest.mark.slow
def test_sigterm_saves_before_exit(tmp_path, train_data):
    env = {**os.environ, "SR_TF_TEST_DATA": str(train_data), "PYTHONPATH": str(ROOT)}
    workdir = tmp_path / "run"
    proc = _start(workdir, 100_000, env)
    _wait_for_checkpoint(proc, workdir)
    proc.send_signal(signal.SIGTERM)
    output = proc.communicate(timeout=120)[0]
    assert proc.returncode == 0, output[-3000:]
    assert "saving a checkpoint and stopping" in output
    step = json.loads((workdir / "metrics.json").read_text())["step"]
    assert _latest_step(workdir) == step and step < 100_000
    assert (workdir / "model.keras").is_file()


@pytest.mark.slow
def test_gan_run_resumes_and_precision_xla_flags_train(tmp_path, train_data):
    env = {"SR_TF_TEST_DATA": str(train_data)}
    gan = ["main.py", "--mode=train", f"--config={TINY}", f"--workdir={tmp_path / 'gan'}",
           "--config.gan.enabled=True", "--config.gan.discriminator=unet",
           "--config.gan.perceptual_weight=0.0", "--config.train.ckpt_every=3"]
    run_python(gan + ["--config.train.steps=3"], env=env)
    resumed = run_python(gan + ["--config.train.steps=6"], env=env)
    assert "at step 3" in resumed.stderr
    checkpoint = tf.train.latest_checkpoint(str(tmp_path / "gan" / "checkpoints"))
    names = [n for n, _ in tf.train.list_variables(checkpoint)]
    assert checkpoint.endswith("-6") and any(n.startswith("discriminator/") for n in names)
    assert any(n.startswith("d_optimizer/") for n in names)
    fast = run_python(["main.py", "--mode=train", f"--config={TINY}",
                       f"--workdir={tmp_path / 'bf16'}", "--config.train.steps=2",
                       "--config.train.precision=mixed_bfloat16", "--config.train.xla=True",
                       "--config.data.val=demo", "--config.train.val_every=1"], env=env)
    assert "Trained to step 2" in fast.stdout and "validation PSNR-Y" in fast.stdout
    curve = [json.loads(line) for line in (tmp_path / "bf16" / "validation.jsonl").open()]
    assert [c["step"] for c in curve] == [1, 2] and curve[0]["bicubic_psnr_y"] > 20
