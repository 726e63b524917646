#!/usr/bin/python3
"""Checks that two fixture files hold the same cases: the same structure, strings and integers, and every float
equal to within float32 rounding (relative 1e-5, absolute 1e-7).

Byte equality is too strict: PyTorch's float32 sums go through OpenBLAS, whose kernel (chosen per processor)
changes the order of additions, so a gradient can differ in its last bit between an Intel and an AMD machine.

    /usr/bin/python3 same_fixtures.py EXPECTED.json ACTUAL.json
Exit codes: 0 the same, 1 a difference (the first is printed).
"""

import json
import sys


def compare(expected, actual, path):
    if isinstance(expected, float) or isinstance(actual, float):
        if not isinstance(expected, (int, float)) or not isinstance(actual, (int, float)):
            return f"{path}: {expected!r} against {actual!r}"
        if abs(expected - actual) > 1e-7 + 1e-5 * abs(expected):
            return f"{path}: {expected!r} against {actual!r}"
        return None
    if type(expected) is not type(actual):
        return f"{path}: {type(expected).__name__} against {type(actual).__name__}"
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            return f"{path}: keys {list(expected)} against {list(actual)}"
        return next((d for k in expected if (d := compare(expected[k], actual[k], f"{path}.{k}"))), None)
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} items against {len(actual)}"
        return next((d for i, (e, a) in enumerate(zip(expected, actual)) if (d := compare(e, a, f"{path}[{i}]"))), None)
    return None if expected == actual else f"{path}: {expected!r} against {actual!r}"


def main(argv):
    with open(argv[1]) as f:
        expected = json.load(f)
    with open(argv[2]) as f:
        actual = json.load(f)
    difference = compare(expected, actual, "$")
    if difference:
        print(f"fixtures differ at {difference}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
