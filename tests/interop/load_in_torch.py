#!/usr/bin/python3
"""Load a backprop model file in PyTorch and check it computes what `backprop predict` computed.

A model file is safetensors: tensors layers.{i}.weight [out, in] and layers.{i}.bias [out], F32, the names and
shapes of nn.Linear inside an nn.Sequential-like list, and string metadata giving the layer sizes, activations and
any standardisation (x -> (x - mean) / deviation). This script reads the file with struct + json (Debian's torch
1.13 has no safetensors package), builds the same network from nn.Linear layers and activation modules, runs the
inputs through it and compares with the JSON lines `backprop predict --json` printed for the same inputs.

    backprop predict --model m.safetensors --input csv:inputs.csv --json > predictions.jsonl
    /usr/bin/python3 tests/interop/load_in_torch.py --model m.safetensors --inputs inputs.csv --predictions predictions.jsonl

Exit codes: 0 every output within the tolerance, 1 a mismatch (the worst one is printed), 2 unusable arguments or files.
"""

import argparse
import csv
import json
import struct
import sys

import torch
from torch import nn

ACTIVATIONS = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky-relu": lambda: nn.LeakyReLU(negative_slope=0.01),  # backprop's slope, PyTorch's default
    "identity": nn.Identity,
    "softmax": lambda: nn.Softmax(dim=1),  # over each row's outputs
}


class UsageError(Exception):
    pass


def read_safetensors(path):
    """(tensors by name, metadata): 8 bytes little-endian header length, a JSON header, then the data section."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise UsageError(f"{path}: {len(data)} bytes is too short for a safetensors file")
    (header_length,) = struct.unpack("<Q", data[:8])
    if 8 + header_length > len(data):
        raise UsageError(f"{path}: header length {header_length} runs past the end of the file")
    header = json.loads(data[8:8 + header_length].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    body = bytearray(data[8 + header_length:])  # frombuffer wants a writable buffer
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise UsageError(f"{path}: tensor {name} is {entry['dtype']}; backprop writes F32 only")
        begin, end = entry["data_offsets"]
        count = (end - begin) // 4
        shape = entry["shape"]
        expected = 1
        for d in shape:
            expected *= d
        if count != expected or end > len(body):
            raise UsageError(f"{path}: tensor {name} has offsets {begin}..{end} but shape {shape}")
        # safetensors data is little-endian; frombuffer reads native order, which torch's platforms share.
        tensors[name] = torch.frombuffer(body, dtype=torch.float32, count=count, offset=begin).reshape(shape).clone()
    return tensors, metadata


def build_network(tensors, metadata, path):
    """nn.Sequential of nn.Linear + activation per layer, exactly as the metadata describes."""
    for key in ("layers", "activation", "output_activation"):
        if key not in metadata:
            raise UsageError(f"{path}: metadata has no '{key}'; it was not written by `backprop train`")
    sizes = [int(s) for s in metadata["layers"].split(",")]
    # "activation" is one name for every hidden layer ("relu") or one per hidden layer ("relu,tanh").
    hidden = metadata["activation"].split(",")
    if len(hidden) == 1:
        hidden = hidden * max(len(sizes) - 2, 0)
    elif len(hidden) != len(sizes) - 2:
        raise UsageError(f"{path}: metadata names {len(hidden)} hidden activations for {len(sizes) - 2} hidden layers")
    modules = []
    for l in range(len(sizes) - 1):
        weight, bias = tensors[f"layers.{l}.weight"], tensors[f"layers.{l}.bias"]
        if list(weight.shape) != [sizes[l + 1], sizes[l]] or list(bias.shape) != [sizes[l + 1]]:
            raise UsageError(f"{path}: layer {l} is {list(weight.shape)}, {list(bias.shape)}; the metadata says {sizes}")
        linear = nn.Linear(sizes[l], sizes[l + 1])
        with torch.no_grad():
            linear.weight.copy_(weight)  # nn.Linear's weight is [out, in], as in the file: z = x Wᵀ + b
            linear.bias.copy_(bias)
        modules.append(linear)
        name = metadata["output_activation"] if l == len(sizes) - 2 else hidden[l]
        if name not in ACTIVATIONS:
            raise UsageError(f"{path}: unknown activation '{name}'")
        modules.append(ACTIVATIONS[name]())
    return nn.Sequential(*modules), sizes


# What a model of plane features (metadata "features", e.g. "x1,x2,x1^2") makes of a point (x1, x2), in float32 as
# backprop's FeatureMap does (sin in double, then rounded, which float32 torch.sin matches to an ulp).
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sinx1": lambda x1, x2: torch.sin(x1.double()).float(),
    "sinx2": lambda x1, x2: torch.sin(x2.double()).float(),
}


def make_features(points, names, path):
    if points.shape[1] != 2:
        raise UsageError(f"{path}: the model takes the features {','.join(names)} of a point; give two columns (x1, x2)")
    x1, x2 = points[:, 0:1], points[:, 1:2]
    for name in names:
        if name not in FEATURES:
            raise UsageError(f"{path}: unknown feature '{name}'")
    return torch.cat([FEATURES[name](x1, x2) for name in names], dim=1)


def read_inputs(path, width):
    """Rows of a CSV as backprop's predict reads them: a non-numeric first row is a header; with width + 1
    columns the last is a label and is ignored."""
    rows = []
    with open(path, newline="") as f:
        for number, cells in enumerate(csv.reader(f), start=1):
            cells = [c.strip() for c in cells]
            if not cells or cells == [""]:
                continue
            try:
                values = [float(c) for c in cells]
            except ValueError:
                if number == 1 and not rows:
                    continue
                raise UsageError(f"{path}: line {number} has a cell that is not a number")
            if len(values) not in (width, width + 1):
                raise UsageError(f"{path}: line {number} has {len(values)} columns; the model takes {width}")
            rows.append(values[:width])
    return torch.tensor(rows, dtype=torch.float32)


def read_predictions(path):
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return torch.tensor([line["outputs"] for line in sorted(lines, key=lambda line: line["index"])], dtype=torch.float32)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="a model file written by `backprop train`")
    parser.add_argument("--inputs", required=True, help="the CSV given to `backprop predict --input csv:FILE`")
    parser.add_argument("--predictions", required=True, help="what `backprop predict --json` printed for it")
    parser.add_argument("--tolerance", type=float, default=1e-5, help="largest |torch - backprop| allowed (default 1e-5)")
    args = parser.parse_args(argv)
    try:
        tensors, metadata = read_safetensors(args.model)
        network, sizes = build_network(tensors, metadata, args.model)
        features = metadata["features"].split(",") if "features" in metadata else None
        x = read_inputs(args.inputs, 2 if features else sizes[0])
        if features:
            x = make_features(x, features, args.model)
        expected = read_predictions(args.predictions)
    except (UsageError, OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if expected.shape != (x.shape[0], sizes[-1]):
        print(f"error: {args.predictions} holds {list(expected.shape)} outputs for {x.shape[0]} inputs of a "
              f"{metadata['layers']} network; predict the same CSV with the same model", file=sys.stderr)
        return 2

    standardized = "standardize_mean" in metadata
    if standardized:
        mean = torch.tensor(json.loads(metadata["standardize_mean"]), dtype=torch.float32)
        deviation = torch.tensor(json.loads(metadata["standardize_deviation"]), dtype=torch.float32)
        x = (x - mean) / deviation
    with torch.no_grad():
        actual = network(x)
    # A regression's network predicts standardised targets; predict prints them in their units: y = z σ + μ.
    regression = metadata.get("task") == "regression"
    scale = torch.ones(sizes[-1])
    if regression and "target_mean" in metadata:
        scale = torch.tensor(json.loads(metadata["target_deviation"]), dtype=torch.float32)
        actual = actual * scale + torch.tensor(json.loads(metadata["target_mean"]), dtype=torch.float32)

    # Compared in the network's own units (divided by σ): float32 rounding of targets near 150 is not a mismatch.
    difference = ((actual - expected) / scale).abs()
    worst = int(difference.argmax()) if difference.numel() else 0
    row, column = divmod(worst, sizes[-1])
    largest = float(difference.max()) if difference.numel() else 0.0
    description = (f"{x.shape[0]} inputs through {metadata['layers']} {metadata['activation']}/"
                   f"{metadata['output_activation']}{', standardized' if standardized else ''}{', regression' if regression else ''}")
    if not largest <= args.tolerance:  # also catches NaN
        print(f"mismatch: {description}: output [{row}, {column}] is {float(actual[row, column])!r} in PyTorch but "
              f"{float(expected[row, column])!r} from backprop (|difference| {largest:.3g} > tolerance {args.tolerance:g})",
              file=sys.stderr)
        return 1
    print(f"PyTorch matches backprop: {description}; max |torch - backprop| = {largest:.3g} (tolerance {args.tolerance:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
