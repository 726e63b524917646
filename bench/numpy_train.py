#!/usr/bin/env python3
"""A plain batched numpy MLP: the "numpy loop" peer of bench/compare.sh, configurations A, B and C of torch_train.py.

Run with Debian's numpy and a real BLAS (the default reference BLAS is ~30x slower):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 /usr/bin/python3 bench/numpy_train.py --config A

Same semantics as torch_train.py and Backprop (docs/notation.md), in float32: W is (out, in), z = a_prev W^T + b for a
batch of rows; quadratic cost = sum over outputs of (a - y)^2, mean over the batch; cross-entropy on a softmax output;
momentum as PyTorch's SGD (v = mu v + g, W -= lr v); the last partial batch kept; He-normal weights for ReLU layers,
Xavier-uniform otherwise, zero biases. Backpropagation by hand, one matrix product per layer and direction.
Prints one JSON object per epoch: epoch, train_cost, test_accuracy, seconds (training time only).
"""
import argparse, gzip, json, os, sys, time
import numpy as np

CONFIGS = {
    "A": dict(layers=[784, 30, 10], activation="sigmoid", output="sigmoid", cost="quadratic", lr=3.0, momentum=0.0, batch=10),
    "B": dict(layers=[784, 256, 128, 10], activation="relu", output="softmax", cost="cross-entropy", lr=0.01, momentum=0.9, batch=64),
    "C": dict(layers=[784, 1024, 1024, 10], activation="relu", output="softmax", cost="cross-entropy", lr=0.1, momentum=0.0, batch=256),
}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(directory, prefix):
    path = os.path.join(directory, prefix + "-images-idx3-ubyte.gz")
    if not os.path.exists(path):
        sys.exit(f"{path} not found; pass --data DIR with the Fashion-MNIST .gz files")
    x = read_idx(path).reshape(-1, 784).astype(np.float32) / np.float32(255)
    y = read_idx(os.path.join(directory, prefix + "-labels-idx1-ubyte.gz")).astype(np.int64)
    return x, y


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(W, b, acts, a):
    """Activations of every layer for a batch of rows a, input first; a softmax layer's entry is its softmax."""
    activations = [a]
    for w, bias, act in zip(W, b, acts):
        z = a @ w.T + bias
        a = sigmoid(z) if act == "sigmoid" else np.maximum(z, 0) if act == "relu" else softmax(z)
        activations.append(a)
    return activations


def backward(W, acts, cost, activations, target):
    """Mean cost over the batch and its gradients dW[l] (out, in), db[l] (out) for every layer.

    Output delta (mean over the batch of m): quadratic with a sigmoid output 2(a - y) a(1 - a) / m; cross-entropy with
    a softmax output (a - y) / m. Then delta_{l-1} = (delta_l W_l) * phi'(z_{l-1}), written with phi' in terms of a.
    """
    out = activations[-1]
    m = out.shape[0]
    if cost == "quadratic":
        diff = out - target
        value = float((diff * diff).sum()) / m
        delta = (2 / np.float32(m)) * diff * out * (1 - out)
    else:
        value = -float((target * np.log(np.maximum(out, 1e-30))).sum()) / m
        delta = (out - target) / np.float32(m)
    dW, db = [None] * len(W), [None] * len(W)
    for l in range(len(W) - 1, -1, -1):
        dW[l] = delta.T @ activations[l]
        db[l] = delta.sum(axis=0)
        if l > 0:
            a = activations[l]
            delta = delta @ W[l]
            delta *= a * (1 - a) if acts[l - 1] == "sigmoid" else (a > 0)
    return value, dW, db


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="A", choices=CONFIGS)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--no-shuffle", action="store_true")
    args = p.parse_args()
    c = CONFIGS[args.config]
    rng = np.random.default_rng(args.seed)
    np.seterr(over="ignore")  # exp(-z) overflows to inf for very negative z, giving sigmoid its right limit 0
    x, labels = load(args.data, "train")
    tx, tlabels = load(args.data, "t10k")
    sizes = c["layers"]
    y = np.eye(sizes[-1], dtype=np.float32)[labels]
    L = len(sizes) - 1
    acts = [c["activation"]] * (L - 1) + [c["output"]]

    W, b = [], []
    for n_in, n_out, act in zip(sizes, sizes[1:], acts):
        if act == "relu":
            w = rng.normal(0.0, np.sqrt(2.0 / n_in), (n_out, n_in))
        else:
            limit = np.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, (n_out, n_in))
        W.append(w.astype(np.float32))
        b.append(np.zeros(n_out, dtype=np.float32))
    vW = [np.zeros_like(w) for w in W]
    vb = [np.zeros_like(v) for v in b]
    lr, mu = np.float32(c["lr"]), np.float32(c["momentum"])

    n, batch = x.shape[0], c["batch"]
    for epoch in range(1, args.epochs + 1):
        order = np.arange(n) if args.no_shuffle else rng.permutation(n)
        start = time.perf_counter()
        total = 0.0
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            cost, dW, db = backward(W, acts, c["cost"], forward(W, b, acts, x[idx]), y[idx])
            total += cost * len(idx)
            for l in range(L):
                if mu:
                    vW[l] *= mu; vW[l] += dW[l]; vb[l] *= mu; vb[l] += db[l]
                    dW[l], db[l] = vW[l], vb[l]
                W[l] -= lr * dW[l]
                b[l] -= lr * db[l]
        seconds = time.perf_counter() - start
        accuracy = float((forward(W, b, acts, tx)[-1].argmax(axis=1) == tlabels).mean())
        print(json.dumps(dict(epoch=epoch, train_cost=total / n, test_accuracy=accuracy, seconds=seconds)), flush=True)


if __name__ == "__main__":
    main()
