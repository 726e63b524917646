#!/usr/bin/python3
"""Test R² of the same regression trained by Backprop and by PyTorch, over several seeds.

Tables: scikit-learn's diabetes (442 × 10, target: disease progression 25…346) and the Boston house prices
(506 × 13, target: median value in $1000s), both shipped with Debian's python3-sklearn. For each seed the script
draws one 80/20 split (numpy, seeded), writes train.csv and test.csv, and trains on train.csv with the same
configuration in both: inputs,32,1, ReLU, identity output, quadratic cost (MSE), Adam η = 0.01, batch 16,
features and target standardised on the training part, 20 epochs (--epochs; at 60 both overfit diabetes). Backprop: `backprop train --task regression
--standardize` then `backprop evaluate --json` on test.csv; PyTorch: the same in a few lines. R² is computed in
the target's units on the same test rows (Backprop's own evaluate; sklearn's r2_score for PyTorch).

    /usr/bin/python3 bench/regression_r2.py [--seeds 5] [--epochs 60]

Needs python3-torch and python3-sklearn, and the CLI built: dotnet build -c Release.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKPROP = ["dotnet", os.path.join(ROOT, "src/Backprop.Cli/bin/Release/net10.0/backprop.dll")]
SKLEARN_DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data"


def tables():
    x, y = load_diabetes(return_X_y=True)
    yield "diabetes", x, y
    boston = np.loadtxt(os.path.join(SKLEARN_DATA, "boston_house_prices.csv"), delimiter=",", skiprows=2)
    yield "boston", boston[:, :-1], boston[:, -1]


def write_csv(path, x, y):
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", fmt="%.9g")


def backprop_r2(folder, features, seed, epochs):
    model = os.path.join(folder, "m.safetensors")
    train = subprocess.run(BACKPROP + ["train", "--task", "regression", "--data", "csv:" + os.path.join(folder, "train.csv"),
                                       "--layers", f"{features},32,1", "--activation", "relu", "--optimizer", "adam", "--lr", "0.01",
                                       "--batch", "16", "--epochs", str(epochs), "--standardize", "--seed", str(seed),
                                       "--json", "--out", model], capture_output=True, text=True)
    if train.returncode != 0:
        sys.exit(f"backprop train failed: {train.stderr}")
    evaluate = subprocess.run(BACKPROP + ["evaluate", "--model", model, "--data", "csv:" + os.path.join(folder, "test.csv"), "--json"],
                              capture_output=True, text=True)
    if evaluate.returncode != 0:
        sys.exit(f"backprop evaluate failed: {evaluate.stderr}")
    return json.loads(evaluate.stdout.splitlines()[-1])["r2"]


def torch_r2(x_train, y_train, x_test, y_test, seed, epochs):
    torch.manual_seed(seed)
    mean, deviation = x_train.mean(0), x_train.std(0)
    deviation[deviation == 0] = 1
    target_mean, target_deviation = y_train.mean(), y_train.std()
    xs = torch.tensor((x_train - mean) / deviation, dtype=torch.float32)
    ys = torch.tensor((y_train - target_mean) / target_deviation, dtype=torch.float32).unsqueeze(1)
    network = torch.nn.Sequential(torch.nn.Linear(xs.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    optimizer = torch.optim.Adam(network.parameters(), lr=0.01)
    loss = torch.nn.MSELoss()
    for _ in range(epochs):
        order = torch.randperm(len(xs))
        for start in range(0, len(xs), 16):
            batch = order[start:start + 16]
            optimizer.zero_grad()
            loss(network(xs[batch]), ys[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        predicted = network(torch.tensor((x_test - mean) / deviation, dtype=torch.float32)).squeeze(1).numpy()
    return r2_score(y_test, predicted * target_deviation + target_mean)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"| table | seed | Backprop test R² | PyTorch test R² | difference |")
    print(f"|---|---:|---:|---:|---:|")
    for name, x, y in tables():
        ours, theirs = [], []
        for seed in range(1, args.seeds + 1):
            order = np.random.default_rng(seed).permutation(len(y))
            test, train = order[:len(y) // 5], order[len(y) // 5:]
            with tempfile.TemporaryDirectory() as folder:
                write_csv(os.path.join(folder, "train.csv"), x[train], y[train])
                write_csv(os.path.join(folder, "test.csv"), x[test], y[test])
                # Both read the same rounded numbers: the CSV's.
                train_rows = np.loadtxt(os.path.join(folder, "train.csv"), delimiter=",")
                test_rows = np.loadtxt(os.path.join(folder, "test.csv"), delimiter=",")
                b = backprop_r2(folder, x.shape[1], seed, args.epochs)
            t = torch_r2(train_rows[:, :-1], train_rows[:, -1], test_rows[:, :-1], test_rows[:, -1], seed, args.epochs)
            ours.append(b)
            theirs.append(t)
            print(f"| {name} | {seed} | {b:.4f} | {t:.4f} | {b - t:+.4f} |", flush=True)
        print(f"| {name} | mean | {np.mean(ours):.4f} | {np.mean(theirs):.4f} | {np.mean(ours) - np.mean(theirs):+.4f} |", flush=True)


if __name__ == "__main__":
    main()
