#!/usr/bin/env bash
# Seconds per epoch of configurations A, B and C (bench/compare.sh's flags) under each instruction set the runtime
# can be limited to: the default (AVX-512 here), DOTNET_EnableAVX=0 (128-bit SSE: the GEMM's Vector128 path) and
# DOTNET_EnableHWIntrinsic=0 (no SIMD at all: scalar tiles, and the element-wise kernels' scalar loops too).
# Interleaved per configuration so the machine's load hits all alike; the median of epochs 2..EPOCHS (epoch 1 is
# warm-up). usage: bench/isa_epochs.sh [EPOCHS=3] [CONFIGS="A B C"] [SETTINGS="default avx0 nosimd"]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-3}
configs=${2:-A B C}
settings=${3:-default avx0 nosimd}
dotnet build -c Release src/Backprop.Cli --nologo -v quiet >/dev/null
backprop=(dotnet src/Backprop.Cli/bin/Release/net10.0/backprop.dll)
source bench/configs.sh
uptime
for config in $configs; do
  for setting in $settings; do
    case $setting in
      default) environment=() ;;
      avx0) environment=(DOTNET_EnableAVX=0) ;;
      nosimd) environment=(DOTNET_EnableHWIntrinsic=0) ;;
    esac
    # shellcheck disable=SC2046 # the flags are words
    env "${environment[@]}" "${backprop[@]}" train --data fashion-mnist $(flags_of "$config") --epochs "$epochs" --no-shuffle \
      --seed 1 --json --out /tmp/isa-epochs.safetensors --no-pictures |
      /usr/bin/python3 -c '
import json, statistics, sys
lines = [json.loads(l) for l in sys.stdin if l.startswith("{")]
seconds = [l["seconds"] for l in lines if l["event"] == "epoch"][1:]
accuracy = [l["test_accuracy"] for l in lines if l["event"] == "epoch"][-1]
listed = " ".join(f"{s:.3f}" for s in seconds)
print(f"{sys.argv[1]} {sys.argv[2]:8} median {statistics.median(seconds):7.3f} s/epoch  epochs 2..: {listed}  accuracy {accuracy}")
' "$config" "$setting"
  done
done
uptime
