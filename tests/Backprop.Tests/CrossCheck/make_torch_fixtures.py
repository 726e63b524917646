#!/usr/bin/python3
"""Writes fixtures/torch_parity.json: training steps of small fully connected networks, run by PyTorch.

The C# CrossCheck tests replay each case through the Backprop engine and compare the batch cost, the
gradients and the parameters after every optimizer step. PyTorch is the oracle, so everything here is
plain torch float32 on the CPU with the library's own optimizers; the semantics reproduced are listed in
README.md next to this file.

Run with the Debian interpreter that has torch (the python3 first on PATH does not):
    /usr/bin/python3 tests/Backprop.Tests/CrossCheck/make_torch_fixtures.py
The output is deterministic: every case seeds torch itself, and JSON keys keep insertion order.
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-8
LEAKY_RELU_SLOPE = 0.01

ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky-relu": lambda z: F.leaky_relu(z, LEAKY_RELU_SLOPE),
    "identity": lambda z: z,
}

CASES = [
    dict(name="sigmoid-quadratic-sgd", seed=101, layers=[4, 5, 3], activation="sigmoid",
         output_activation="sigmoid", cost="quadratic", optimizer="sgd", learning_rate=0.5,
         examples=10, batch_size=4, epochs=1),
    dict(name="tanh-quadratic-momentum", seed=102, layers=[3, 6, 4, 2], activation="tanh",
         output_activation="identity", cost="quadratic", optimizer="momentum", learning_rate=0.1,
         momentum=0.9, weight_decay=0.01, examples=8, batch_size=3, epochs=2),
    dict(name="relu-softmax-crossentropy-adam", seed=103, layers=[5, 8, 6, 4], activation="relu",
         output_activation="softmax", cost="cross-entropy", optimizer="adam", learning_rate=0.01,
         weight_decay=0.001, examples=12, batch_size=4, epochs=2),
    dict(name="leaky-relu-softmax-quadratic-sgd", seed=104, layers=[4, 7, 3], activation="leaky-relu",
         output_activation="softmax", cost="quadratic", optimizer="sgd", learning_rate=0.3,
         examples=10, batch_size=5, epochs=1),
    dict(name="single-output-sigmoid-quadratic", seed=105, layers=[2, 4, 1], activation="tanh",
         output_activation="sigmoid", cost="quadratic", optimizer="momentum", learning_rate=0.2,
         momentum=0.5, examples=6, batch_size=2, epochs=1),
    dict(name="relu-softmax-crossentropy-sgd-decay", seed=106, layers=[6, 10, 5], activation="relu",
         output_activation="softmax", cost="cross-entropy", optimizer="sgd", learning_rate=0.1,
         weight_decay=0.05, examples=9, batch_size=4, epochs=1),
    dict(name="identity-quadratic-adam", seed=107, layers=[3, 4, 2], activation="sigmoid",
         output_activation="identity", cost="quadratic", optimizer="adam", learning_rate=0.05,
         examples=5, batch_size=2, epochs=1),
    # Three inputs of size ~5000 push the logits to about ±1300: exp(z) overflows float32 and one label's
    # softmax probability underflows to 0, so a softmax without max-subtraction, log(softmax(z)) or a sigmoid
    # derivative written with exp(-z) turns into inf/NaN, while torch's values stay finite (saturated sigmoids
    # give exactly zero gradient). The fourth example is unscaled so the gradients are not all zero.
    # No hidden layer, so "activation" is unused there.
    dict(name="extreme-logits-softmax-crossentropy", seed=108, layers=[2, 3], activation="identity",
         output_activation="softmax", cost="cross-entropy", optimizer="sgd", learning_rate=0.1,
         examples=4, batch_size=4, epochs=1, row_scales=[5000.0, 5000.0, 5000.0, 1.0]),
    dict(name="extreme-logits-sigmoid-quadratic", seed=109, layers=[2, 3], activation="sigmoid",
         output_activation="sigmoid", cost="quadratic", optimizer="sgd", learning_rate=0.1,
         examples=4, batch_size=4, epochs=1, row_scales=[5000.0, 5000.0, 5000.0, 1.0]),
    # L1 regularization: the loss is C + l1 * sum |W| over the weights (not the biases); the recorded gradients
    # are those of C alone (what backpropagation computes), the step is taken on the whole loss. One hidden
    # activation per layer as a comma list, as the model file's metadata writes it.
    dict(name="l1-per-layer-activations-sgd", seed=110, layers=[2, 5, 4, 2], activation="relu,tanh",
         output_activation="softmax", cost="cross-entropy", optimizer="sgd", learning_rate=0.3, l1=0.01,
         examples=10, batch_size=4, epochs=2),
    dict(name="l1-and-decay-adam", seed=111, layers=[3, 6, 1], activation="leaky-relu",
         output_activation="sigmoid", cost="quadratic", optimizer="adam", learning_rate=0.03, l1=0.005,
         weight_decay=0.01, examples=8, batch_size=3, epochs=2),
    # A regression: real targets, two per example (y = a standard normal × 2 + 0.5), identity output, quadratic
    # cost; the C# replay builds its targets through Dataset.FillTargets, as the trainer does.
    dict(name="regression-two-targets-adam", seed=112, task="regression", layers=[4, 6, 2], activation="relu",
         output_activation="identity", cost="quadratic", optimizer="adam", learning_rate=0.01,
         examples=10, batch_size=4, epochs=2),
]


def targets_for(labels, output_count):
    """One-hot rows, except a single output neuron whose target is the 0/1 label itself: shape [n, outputs]."""
    if output_count == 1:
        return labels.to(torch.float32).unsqueeze(1)
    return F.one_hot(labels, output_count).to(torch.float32)


def example_costs(case, weights, biases, x, labels, targets=None):
    """The per-example cost C_k, shape [n]; see README.md for the definitions. The batch cost is their mean."""
    names = case["activation"].split(",")  # one for every hidden layer, or one per hidden layer
    a = x
    last = len(weights) - 1
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = a @ w.T + b  # a is [n, in], w is [out, in] (nn.Linear layout)
        if l < last:
            a = ACTIVATIONS[names[l] if len(names) > 1 else names[0]](z)
    y = targets if targets is not None else targets_for(labels, z.shape[1])
    if case["cost"] == "cross-entropy":
        assert case["output_activation"] == "softmax"
        # log_softmax on z, never log(softmax(z)): the latter is -inf once a probability underflows.
        per_example = -(y * torch.log_softmax(z, dim=1)).sum(dim=1)
        assert torch.allclose(per_example, F.cross_entropy(z, labels, reduction="none"), rtol=1e-6, atol=1e-6)
    else:
        out = case["output_activation"]
        a = torch.softmax(z, dim=1) if out == "softmax" else ACTIVATIONS[out](z)
        per_example = ((a - y) ** 2).sum(dim=1)
    return per_example


def make_optimizer(case, weights, biases):
    # Weight decay on the weights only: two parameter groups. foreach=False pins the plain per-tensor loop.
    decay = case.get("weight_decay", 0.0)
    groups = [{"params": weights, "weight_decay": decay}, {"params": biases, "weight_decay": 0.0}]
    lr = case["learning_rate"]
    if case["optimizer"] == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=0.0, foreach=False)
    if case["optimizer"] == "momentum":
        return torch.optim.SGD(groups, lr=lr, momentum=case["momentum"], dampening=0.0, nesterov=False,
                               foreach=False)
    if case["optimizer"] == "adam":
        return torch.optim.Adam(groups, lr=lr, betas=ADAM_BETAS, eps=ADAM_EPSILON, amsgrad=False, foreach=False)
    raise ValueError(case["optimizer"])


def snapshot(tensors):
    # tolist() on float32 yields Python floats equal to the float32 values, so repr round-trips exactly.
    return [t.detach().tolist() for t in tensors]


class ReferenceOptimizer:
    """The update rule README.md documents, in float64; asserts that torch did exactly that (up to rounding)."""

    def __init__(self, case, params):
        self.case = case
        self.state = [dict() for _ in params]
        self.t = 0

    def expected_after(self, params, grads, is_weight):
        c = self.case
        lr, decay, l1 = c["learning_rate"], c.get("weight_decay", 0.0), c.get("l1", 0.0)
        self.t += 1
        result = []
        for i, (p, g) in enumerate(zip(params, grads)):
            p, g = p.double(), g.double()
            if is_weight[i]:
                g = g + l1 * torch.sign(p) + decay * p
            s = self.state[i]
            if c["optimizer"] == "sgd":
                p = p - lr * g
            elif c["optimizer"] == "momentum":
                s["v"] = g if "v" not in s else c["momentum"] * s["v"] + g
                p = p - lr * s["v"]
            else:
                b1, b2 = ADAM_BETAS
                s["m"] = (1 - b1) * g if "m" not in s else b1 * s["m"] + (1 - b1) * g
                s["v"] = (1 - b2) * g * g if "v" not in s else b2 * s["v"] + (1 - b2) * g * g
                m_hat = s["m"] / (1 - b1 ** self.t)
                v_hat = s["v"] / (1 - b2 ** self.t)
                p = p - lr * m_hat / (v_hat.sqrt() + ADAM_EPSILON)
            result.append(p)
        return result


def run_case(case):
    torch.manual_seed(case["seed"])
    layers = case["layers"]
    n = case["examples"]
    x = torch.randn(n, layers[0], dtype=torch.float32)
    if "row_scales" in case:
        x = x * torch.tensor(case["row_scales"], dtype=torch.float32).unsqueeze(1)
    classes = 2 if layers[-1] == 1 else layers[-1]
    labels = torch.randint(0, classes, (n,))
    regression = case.get("task") == "regression"
    targets = torch.randn(n, layers[-1], dtype=torch.float32) * 2 + 0.5 if regression else None
    linears = [torch.nn.Linear(i, o) for i, o in zip(layers[:-1], layers[1:])]
    weights = [lin.weight.detach().clone().requires_grad_(True) for lin in linears]
    biases = [lin.bias.detach().clone().requires_grad_(True) for lin in linears]
    optimizer = make_optimizer(case, weights, biases)
    reference = ReferenceOptimizer(case, weights + biases)
    is_weight = [True] * len(weights) + [False] * len(biases)

    record = {
        "name": case["name"],
        "layers": layers,
        "activation": case["activation"],
        "output_activation": case["output_activation"],
        "cost": case["cost"],
        "optimizer": case["optimizer"],
        "learning_rate": case["learning_rate"],
        "momentum": case.get("momentum", 0.0),
        "weight_decay": case.get("weight_decay", 0.0),
        "l1": case.get("l1", 0.0),
        "adam_beta1": ADAM_BETAS[0],
        "adam_beta2": ADAM_BETAS[1],
        "adam_epsilon": ADAM_EPSILON,
        "batch_size": case["batch_size"],
        "epochs": case["epochs"],
        "seed": case["seed"],
        "inputs": x.tolist(),
        "labels": [] if regression else labels.tolist(),
        "initial": {"weights": snapshot(weights), "biases": snapshot(biases)},
        "steps": [],
    }

    if regression:
        record["task"] = "regression"
        record["targets"] = targets.tolist()
    batch = case["batch_size"]
    for epoch in range(case["epochs"]):
        for start in range(0, n, batch):
            stop = min(start + batch, n)
            optimizer.zero_grad(set_to_none=True)
            per_example = example_costs(case, weights, biases, x[start:stop], labels[start:stop],
                                        None if targets is None else targets[start:stop])
            if "row_scales" in case and case["cost"] == "cross-entropy":
                # exp(-104) is below float32's smallest subnormal: the case must really hit that underflow.
                assert per_example.max() > 104.0, case["name"]
            cost = per_example.mean()
            params = weights + biases
            if "l1" in case:
                # The gradients of C alone, then the step on C + l1 * sum |W| (autograd adds l1 * sign(W)).
                grads = [g.detach().clone() for g in torch.autograd.grad(cost, params, retain_graph=True)]
                (cost + case["l1"] * sum(w.abs().sum() for w in weights)).backward()
            else:
                cost.backward()
                grads = [p.grad.detach().clone() for p in params]
            expected = reference.expected_after([p.detach() for p in params], grads, is_weight)
            optimizer.step()
            for p, e in zip(params, expected):
                assert torch.allclose(p.detach().double(), e, rtol=1e-5, atol=1e-6), case["name"]
            step = {
                "epoch": epoch,
                "batch_start": start,
                "batch_count": stop - start,
                "cost": float(cost),
                "gradients": {"weights": snapshot(grads[:len(weights)]), "biases": snapshot(grads[len(weights):])},
                "after": {"weights": snapshot(weights), "biases": snapshot(biases)},
            }
            assert math.isfinite(step["cost"]) and all(torch.isfinite(g).all() for g in grads), case["name"]
            record["steps"].append(step)
    return record


def format_json(value, indent=0):
    """JSON with one line per innermost list (a matrix row, a vector), so diffs stay readable."""
    pad = " " * indent
    if isinstance(value, dict):
        items = [f'{pad}  {json.dumps(k)}: {format_json(v, indent + 2)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        items = [pad + "  " + format_json(v, indent + 2) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False)


def main():
    torch.set_num_threads(1)  # a single thread keeps reductions in one fixed order
    document = {
        "generated_by": "tests/Backprop.Tests/CrossCheck/make_torch_fixtures.py",
        "torch_version": torch.__version__,
        "cases": [run_case(case) for case in CASES],
    }
    write_fixture(document, "torch_parity.json", f", {len(CASES)} cases")


def write_fixture(document, name, summary=""):
    """Writes document to fixtures/NAME beside this script, or to PATH given as --out PATH (CI regenerates into a
    temporary folder and compares with the committed file)."""
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        path = sys.argv[2]
    else:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", name)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(format_json(document) + "\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes{summary})", file=sys.stderr)


if __name__ == "__main__":
    main()
