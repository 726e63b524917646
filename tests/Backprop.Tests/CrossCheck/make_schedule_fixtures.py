#!/usr/bin/python3
"""Writes fixtures/lr_schedules.json: learning-rate schedules as torch.optim.lr_scheduler computes them.

Two parts, replayed by LearningRateScheduleTests:
- "rates": η of every epoch for each schedule (a PyTorch loop calls scheduler.step() after every epoch; the
  plateau cases step with the given monitored costs). The C# schedules must give these doubles exactly.
- "training": small networks trained for several epochs with a schedule, in file order (no shuffling) with
  batches of batch_size (the last one partial), the scheduler stepped after each epoch — on the epoch's mean
  train cost for ReduceLROnPlateau, Σ(batch cost × batch size) / examples. The C# Trainer must end with these
  weights (to float32 tolerance) and use these rates.

Run with the Debian interpreter that has torch:
    /usr/bin/python3 tests/Backprop.Tests/CrossCheck/make_schedule_fixtures.py [--out PATH]
Deterministic: every case seeds torch itself.
"""

import os
import sys

import torch
from torch.optim import lr_scheduler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_fixtures import example_costs, make_optimizer, snapshot, targets_for, write_fixture  # noqa: E402

PLATEAU_THRESHOLD = 1e-4  # torch's default (relative, mode min)


def scheduler_for(spec, optimizer):
    """The torch scheduler of a compact form (the C# LearningRateSchedule.Parse syntax, every part given)."""
    name, *values = spec.split(":")
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=int(values[0]), gamma=float(values[1]))
    if name == "exponential":
        return lr_scheduler.ExponentialLR(optimizer, gamma=float(values[0]))
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=int(values[0]), eta_min=float(values[1]))
    if name == "warmup":
        return lr_scheduler.LinearLR(optimizer, start_factor=float(values[1]), end_factor=1.0, total_iters=int(values[0]))
    if name == "plateau":
        # Every other argument at torch's default: mode min, threshold 1e-4 rel, cooldown 0, min_lr 0, eps 1e-8.
        return lr_scheduler.ReduceLROnPlateau(optimizer, patience=int(values[0]), factor=float(values[1]))
    raise ValueError(spec)


RATE_CASES = [
    dict(schedule="step:3:0.5", initial=0.1, epochs=10),
    dict(schedule="step:1:0.1", initial=0.3, epochs=6),
    dict(schedule="exponential:0.95", initial=0.01, epochs=30),
    dict(schedule="cosine:10:0", initial=0.1, epochs=25),
    dict(schedule="cosine:7:0.001", initial=0.05, epochs=20),
    dict(schedule="warmup:5:0.3333333333333333", initial=0.001, epochs=9),
    dict(schedule="warmup:3:0.1", initial=1.5, epochs=6),
    dict(schedule="plateau:2:0.5", initial=0.1, epochs=12,
         monitored=[1.0, 0.9, 0.95, 0.91, 0.92, 0.89999, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.5]),
    dict(schedule="plateau:0:0.1", initial=1.0, epochs=8,
         monitored=[3.0, 3.0, 2.0, 2.5, 1.99990001, 1.9997, 1.0, 1.0]),
    dict(schedule="plateau:10:0.1", initial=0.001, epochs=14, monitored=[1.0] * 14),
]


def rates(case):
    p = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([p], lr=case["initial"])
    scheduler = scheduler_for(case["schedule"], optimizer)
    result = []
    for epoch in range(case["epochs"]):
        result.append(optimizer.param_groups[0]["lr"])
        if "monitored" in case:
            scheduler.step(case["monitored"][epoch])
        else:
            scheduler.step()
    return dict(case, rates=result)


TRAINING_CASES = [
    dict(name="cosine-momentum", seed=201, schedule="cosine:4:0.01", layers=[4, 6, 3], activation="tanh",
         output_activation="softmax", cost="cross-entropy", optimizer="momentum", learning_rate=0.1, momentum=0.9,
         examples=10, batch_size=4, epochs=6),
    dict(name="step-adam", seed=202, schedule="step:2:0.5", layers=[3, 5, 2], activation="relu",
         output_activation="sigmoid", cost="quadratic", optimizer="adam", learning_rate=0.05,
         examples=9, batch_size=3, epochs=5),
    dict(name="warmup-sgd", seed=203, schedule="warmup:3:0.25", layers=[2, 4, 2], activation="sigmoid",
         output_activation="softmax", cost="cross-entropy", optimizer="sgd", learning_rate=0.5,
         examples=8, batch_size=3, epochs=5),
    dict(name="plateau-sgd", seed=204, schedule="plateau:0:0.5", layers=[3, 4, 2], activation="tanh",
         output_activation="softmax", cost="cross-entropy", optimizer="sgd", learning_rate=4.0,
         examples=8, batch_size=8, epochs=8),
]


def train(case):
    torch.manual_seed(case["seed"])
    layers = case["layers"]
    n = case["examples"]
    x = torch.randn(n, layers[0], dtype=torch.float32)
    labels = torch.randint(0, layers[-1], (n,))
    weights = [torch.nn.Parameter(torch.randn(layers[l + 1], layers[l]) * 0.5) for l in range(len(layers) - 1)]
    biases = [torch.nn.Parameter(torch.randn(layers[l + 1]) * 0.1) for l in range(len(layers) - 1)]
    initial = dict(weights=snapshot(weights), biases=snapshot(biases))
    optimizer = make_optimizer(case, weights, biases)
    scheduler = scheduler_for(case["schedule"], optimizer)
    used, epoch_costs = [], []
    for epoch in range(case["epochs"]):
        used.append(optimizer.param_groups[0]["lr"])
        total = 0.0
        for start in range(0, n, case["batch_size"]):
            rows = slice(start, min(start + case["batch_size"], n))
            optimizer.zero_grad()
            cost = example_costs(case, weights, biases, x[rows], labels[rows]).mean()
            cost.backward()
            optimizer.step()
            total += float(cost.item()) * (rows.stop - rows.start)
        epoch_cost = total / n
        epoch_costs.append(epoch_cost)
        if case["schedule"].startswith("plateau"):
            best = min(epoch_costs[:-1], default=float("inf"))
            # A decision that float32 rounding could flip would make the fixture fragile: keep clear of the threshold.
            assert best == float("inf") or abs(epoch_cost - best * (1 - PLATEAU_THRESHOLD)) > 1e-5 * best, case["name"]
            scheduler.step(epoch_cost)
        else:
            scheduler.step()
    if case["schedule"].startswith("plateau"):
        assert len(set(used)) > 2, f"{case['name']}: the plateau case should reduce η at least twice, got {used}"
    return dict(case, inputs=x.tolist(), labels=labels.tolist(), initial=initial, rates=used, epoch_costs=epoch_costs,
                final=dict(weights=snapshot(weights), biases=snapshot(biases)))


def main():
    torch.set_num_threads(1)
    document = {
        "generated_by": "tests/Backprop.Tests/CrossCheck/make_schedule_fixtures.py",
        "torch_version": torch.__version__,
        "rates": [rates(case) for case in RATE_CASES],
        "training": [train(case) for case in TRAINING_CASES],
    }
    write_fixture(document, "lr_schedules.json")


if __name__ == "__main__":
    main()
