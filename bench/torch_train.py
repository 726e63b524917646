#!/usr/bin/env python3
"""Train the same networks as `backprop train` in PyTorch, for side-by-side accuracy and speed.

Run with Debian's python3-torch:  /usr/bin/python3 bench/torch_train.py --config nielsen --seed 1
For speed, give PyTorch a real BLAS (the default reference BLAS is ~30x slower):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2 /usr/bin/python3 bench/torch_train.py ...

Semantics match Backprop's (docs/notation.md): quadratic cost = sum over outputs of (a - y)^2, mean over the batch;
cross-entropy = F.cross_entropy on the logits (softmax output); weight decay on weights only; the last partial
batch kept; Xavier-uniform init for sigmoid/tanh/softmax layers, He-normal for ReLU layers, zero biases.
Prints one JSON object per epoch: epoch, train_cost, test_accuracy, seconds (training time only).
"""
import argparse, gzip, json, os, struct, sys, time
import torch
import torch.nn.functional as F

CONFIGS = {
    # Nielsen's network.py on (Fashion-)MNIST: the accuracy reference.
    "nielsen": dict(layers=[784, 30, 10], activation="sigmoid", output="sigmoid", cost="quadratic", optimizer="sgd", lr=3.0, batch=10, epochs=5),
    "nielsen100": dict(layers=[784, 100, 10], activation="sigmoid", output="sigmoid", cost="quadratic", optimizer="sgd", lr=3.0, batch=10, epochs=5),
    "adam":    dict(layers=[784, 256, 128, 10], activation="relu", output="softmax", cost="cross-entropy", optimizer="adam", lr=0.001, batch=64, epochs=10),
    # The speed configurations of bench/compare.sh.
    "A": dict(layers=[784, 30, 10], activation="sigmoid", output="sigmoid", cost="quadratic", optimizer="sgd", lr=3.0, batch=10, epochs=4),
    "B": dict(layers=[784, 256, 128, 10], activation="relu", output="softmax", cost="cross-entropy", optimizer="momentum", lr=0.01, momentum=0.9, batch=64, epochs=4),
    "C": dict(layers=[784, 1024, 1024, 10], activation="relu", output="softmax", cost="cross-entropy", optimizer="sgd", lr=0.1, batch=256, epochs=4),
}


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def load(directory):
    def find(name):
        for candidate in (name + ".gz", name):
            if os.path.exists(os.path.join(directory, candidate)):
                return os.path.join(directory, candidate)
        sys.exit(f"{name} not found in {directory}")
    x = read_idx(find("train-images-idx3-ubyte")).reshape(-1, 784).float() / 255
    y = read_idx(find("train-labels-idx1-ubyte")).long()
    tx = read_idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784).float() / 255
    ty = read_idx(find("t10k-labels-idx1-ubyte")).long()
    return x, y, tx, ty


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="nielsen", choices=CONFIGS)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--no-shuffle", action="store_true")
    args = p.parse_args()
    c = dict(CONFIGS[args.config])
    if args.epochs:
        c["epochs"] = args.epochs
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    x, y, tx, ty = load(args.data)

    layers = []
    sizes = c["layers"]
    for i in range(len(sizes) - 1):
        linear = torch.nn.Linear(sizes[i], sizes[i + 1])
        act = c["activation"] if i < len(sizes) - 2 else c["output"]
        with torch.no_grad():
            if act in ("relu", "leaky-relu"):
                torch.nn.init.normal_(linear.weight, 0.0, (2.0 / sizes[i]) ** 0.5)
            else:
                torch.nn.init.xavier_uniform_(linear.weight)
            linear.bias.zero_()
        layers.append((linear, act))
    weights = [l.weight for l, _ in layers]
    biases = [l.bias for l, _ in layers]

    def forward(a):
        for linear, act in layers:
            z = linear(a)
            if act == "sigmoid": a = torch.sigmoid(z)
            elif act == "tanh": a = torch.tanh(z)
            elif act == "relu": a = torch.relu(z)
            elif act == "leaky-relu": a = F.leaky_relu(z, 0.01)
            elif act == "softmax": a = z  # kept as logits: the cost applies log-softmax
            else: a = z
        return a

    def cost(out, labels):
        if c["cost"] == "cross-entropy":
            return F.cross_entropy(out, labels)
        target = F.one_hot(labels, sizes[-1]).float()
        return ((out - target) ** 2).sum(dim=1).mean()

    groups = [dict(params=weights, weight_decay=c.get("weight_decay", 0.0)), dict(params=biases, weight_decay=0.0)]
    if c["optimizer"] == "adam":
        opt = torch.optim.Adam(groups, lr=c["lr"])
    else:
        opt = torch.optim.SGD(groups, lr=c["lr"], momentum=c.get("momentum", 0.0) if c["optimizer"] == "momentum" else 0.0)

    n, batch = x.shape[0], c["batch"]
    for epoch in range(1, c["epochs"] + 1):
        order = torch.arange(n) if args.no_shuffle else torch.randperm(n)
        start = time.perf_counter()
        total = 0.0
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            opt.zero_grad(set_to_none=True)
            loss = cost(forward(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - start
        with torch.no_grad():
            accuracy = (forward(tx).argmax(dim=1) == ty).float().mean().item()
        print(json.dumps(dict(epoch=epoch, train_cost=total / n, test_accuracy=accuracy, seconds=seconds)), flush=True)


if __name__ == "__main__":
    main()
