#!/usr/bin/env bash
# Test accuracy of Backprop and PyTorch on Fashion-MNIST with the same settings, over several seeds.
# Usage: bench/accuracy.sh [nielsen|adam] [seeds]     (from the repository root; needs python3-torch)
# Single runs of Nielsen's sigmoid network at η = 3 swing by ±2 points, so compare the means.
set -euo pipefail
config=${1:-nielsen}
seeds=${2:-5}
cd "$(dirname "$0")/.."
dotnet build -c Release src/Backprop.Cli >/dev/null
backprop="dotnet src/Backprop.Cli/bin/Release/net10.0/backprop.dll"
case $config in
  nielsen) flags="--layers 784,30,10 --activation sigmoid --output-activation sigmoid --cost quadratic --optimizer sgd --lr 3.0 --batch 10 --epochs 5" ;;
  adam) flags="--layers 784,256,128,10 --activation relu --output-activation softmax --cost cross-entropy --optimizer adam --lr 0.001 --batch 64 --epochs 10" ;;
  *) echo "unknown configuration $config" >&2; exit 2 ;;
esac
out=$(mktemp -d)
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp OMP_NUM_THREADS=2
for seed in $(seq 1 "$seeds"); do
  b=$($backprop train --data fashion-mnist $flags --seed "$seed" --out "$out/m.safetensors" --json | tail -1 \
      | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["test_accuracy"])')
  t=$(/usr/bin/python3 bench/torch_train.py --config "$config" --seed "$seed" | tail -1 \
      | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["test_accuracy"])')
  echo "seed $seed  backprop $b  pytorch $t"
done | tee "$out/runs.txt"
/usr/bin/python3 - "$out/runs.txt" <<'PY'
import sys, statistics
rows = [line.split() for line in open(sys.argv[1])]
b = [float(r[3]) for r in rows]; t = [float(r[5]) for r in rows]
print(f"mean test accuracy: backprop {100*statistics.mean(b):.2f}% (sd {100*statistics.pstdev(b):.2f}), "
      f"pytorch {100*statistics.mean(t):.2f}% (sd {100*statistics.pstdev(t):.2f}), difference {100*(statistics.mean(b)-statistics.mean(t)):+.2f} points")
PY
