"""Training recipes several configs share (values only)."""


def basicsr_transformer(c, lr: float = 2e-4, beta_2: float = 0.99) -> None:
    """The SwinIR/HAT-family recipe of their BasicSR option files (options/train/*.yml): LR
    patch 64 (HR ``64 * scale``), batch 32, Adam(lr, 0.9, beta_2), L1, 500k iterations, lr
    halved at 250k, 400k, 450k and 475k. Set ``c.model.scale`` first."""
    c.data.patch_size = 64 * c.model.scale
    c.train.batch_size = 32
    c.train.lr = lr
    c.train.beta_2 = beta_2
    c.train.schedule = "step"
    c.train.milestones = (250_000, 400_000, 450_000, 475_000)
    c.train.gamma = 0.5
    c.train.steps = 500_000
    c.train.loss.l1 = 1.0
