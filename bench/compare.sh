#!/usr/bin/env bash
# Whole training runs, side by side: configurations A, B and C on Fashion-MNIST in Backprop, PyTorch (Debian's
# python3-torch on OpenBLAS), TorchSharp-cpu (bench/TorchSharpTrainer) and a plain batched numpy loop
# (bench/numpy_train.py), 2 threads each, interleaved in one run so that the machine's load hits all of them alike.
#
# usage: bench/compare.sh [EPOCHS=4] [ROUNDS=1]     (as root on Debian 12 if packages are missing)
#
# Every peer trains in file order (--no-shuffle), so all see the same batches. Epoch 1 is warm-up (JIT, allocation,
# page faults); the table gives the median seconds per epoch over epochs 2..EPOCHS of every round, samples per
# second (60,000 / median), each implementation's median over Backprop's (above 1: Backprop is faster), and the
# test accuracy after the last epoch of the last round. Per-epoch JSON lines are kept in $COMPARE_OUT
# (default /tmp/backprop-compare). Only ratios within one run mean anything: the machine changes between runs.
# The caller's environment passes through: on a machine shared with other work, OMP_WAIT_POLICY=PASSIVE keeps the
# OpenMP peers (PyTorch, TorchSharp, OpenBLAS) from losing whole time slices spin-waiting for a descheduled thread.
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=${1:-4}
rounds=${2:-1}
threads=2
if ! [[ $epochs =~ ^[0-9]+$ && $epochs -ge 2 && $rounds =~ ^[0-9]+$ && $rounds -ge 1 ]]; then
  echo "usage: bench/compare.sh [EPOCHS>=2] [ROUNDS>=1]  (epoch 1 is warm-up and not counted)" >&2
  exit 2
fi
out=${COMPARE_OUT:-/tmp/backprop-compare}
rm -rf "$out"
mkdir -p "$out"
openblas=/usr/lib/x86_64-linux-gnu/openblas-openmp

missing=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
# Debian's numpy and torch use whatever libblas.so.3 is selected; the reference BLAS is ~30x slower than OpenBLAS.
# The OpenMP build, because the pthread one fights PyTorch's OpenMP threads.
[ -f $openblas/libblas.so.3 ] || missing+=(libopenblas0-openmp)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
command -v patchelf >/dev/null || missing+=(patchelf)
command -v readelf >/dev/null || missing+=(binutils)
command -v cc >/dev/null || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  # Installing OpenBLAS makes it the system's libblas.so.3 and liblapack.so.3 (priority 95), and with it every later
  # PyTorch run on the machine, .ci/run's fixture check included (a training fixture then differs by 4e-5 relative).
  # The peers below get OpenBLAS through LD_LIBRARY_PATH, so the system's choice is put back as it was.
  # The alternative's own value (readlink -f would give the versioned file, which --set refuses).
  declare -A before=()
  for lib in libblas.so.3 liblapack.so.3; do
    value=$(update-alternatives --query "$lib-x86_64-linux-gnu" 2>/dev/null | sed -n 's/^Value: //p')
    [ -n "$value" ] && before[$lib]=$value
  done
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  for lib in "${!before[@]}"; do
    update-alternatives --quiet --set "$lib-x86_64-linux-gnu" "${before[$lib]}"
  done
fi

echo "building Backprop and bench/TorchSharpTrainer (Release)" >&2
dotnet build -c Release src/Backprop.Cli --nologo -v quiet >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
dotnet build -c Release bench/TorchSharpTrainer --nologo -v quiet >>"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
torchsharp_dir=bench/TorchSharpTrainer/bin/Release/net10.0/linux-x64

# TorchSharp-cpu 0.107.0's libLibTorchSharp.so is built with GCC 13 and asks libstdc++ for GLIBCXX_3.4.32 for one
# symbol, std::ios_base_library_init(); Debian 12 has 3.4.30, so it fails to load. In the build output's copy (the
# build copies it afresh whenever the package's file differs), mark that version requirement weak (VER_FLG_WEAK in
# its .gnu.version_r entry: patchelf cannot, so two bytes are written at the offset readelf gives) and make the
# library need a no-op definition of the symbol, built next to it. See bench/README.md.
patch_torchsharp() {
  local dir=$1 lib=$1/libLibTorchSharp.so libstdcxx
  # (No grep -q after a pipe: its early exit would fail the pipeline under pipefail.)
  libstdcxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !path { path = $NF } END { print path }')
  if grep -a GLIBCXX_3.4.32 "$libstdcxx" >/dev/null; then return; fi
  if readelf -V "$lib" | grep 'Name: GLIBCXX_3.4.32  Flags: none' >/dev/null; then
    local section aux
    section=$(readelf -V "$lib" | awk '/\.gnu\.version_r/ { getline; print $4 }')
    aux=$(readelf -V "$lib" | awk '$3 == "GLIBCXX_3.4.32" { sub(":", "", $1); print $1 }')
    # Elf64_Vernaux is vna_hash (4 bytes), vna_flags (2 bytes, little-endian), ...: VER_FLG_WEAK is 2.
    printf '\002\000' | dd of="$lib" bs=1 seek=$((section + aux + 4)) conv=notrunc status=none
    readelf -V "$lib" | grep 'Name: GLIBCXX_3.4.32  Flags: WEAK' >/dev/null || { echo "could not weaken GLIBCXX_3.4.32 in $lib" >&2; exit 1; }
  fi
  cc -shared -fPIC -O2 -o "$dir/libios_base_library_init.so" bench/TorchSharpTrainer/ios_base_library_init.c
  # libLibTorchSharp.so's RUNPATH starts with $ORIGIN, so the no-op library is found beside it.
  patchelf --print-needed "$lib" | grep -x libios_base_library_init.so >/dev/null ||
    patchelf --add-needed libios_base_library_init.so "$lib"
}
patch_torchsharp "$torchsharp_dir"

# Every peer gets 2 threads: .NET sees 2 processors, libtorch and OpenBLAS 2 OpenMP threads.
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads DOTNET_PROCESSOR_COUNT=$threads
backprop=(dotnet src/Backprop.Cli/bin/Release/net10.0/backprop.dll)
backprop_extra=()
"${backprop[@]}" train --help | grep -- --no-pictures >/dev/null && backprop_extra+=(--no-pictures)

source bench/configs.sh

run() {
  local config=$1 implementation=$2
  case $implementation in
    backprop)
      # shellcheck disable=SC2046 # the flags are words
      "${backprop[@]}" train --data fashion-mnist $(flags_of "$config") --epochs "$epochs" --no-shuffle --seed 1 \
        --json --out "$out/model.safetensors" "${backprop_extra[@]}" ;;
    pytorch)
      LD_LIBRARY_PATH=$openblas /usr/bin/python3 bench/torch_train.py --config "$config" --epochs "$epochs" \
        --no-shuffle --seed 1 --threads $threads ;;
    torchsharp)
      dotnet $torchsharp_dir/TorchSharpTrainer.dll --config "$config" --epochs "$epochs" --no-shuffle --seed 1 \
        --threads $threads ;;
    numpy)
      LD_LIBRARY_PATH=$openblas /usr/bin/python3 bench/numpy_train.py --config "$config" --epochs "$epochs" \
        --no-shuffle --seed 1 ;;
  esac
}

uptime >"$out/load-before.txt"
for config in A B C; do
  for round in $(seq 1 "$rounds"); do
    for implementation in backprop pytorch torchsharp numpy; do
      file=$out/$config.$implementation.$round
      if run "$config" "$implementation" >"$file.jsonl" 2>"$file.err"; then
        echo "$config $implementation round $round: seconds per epoch" \
          "$(/usr/bin/python3 -c 'import json, sys; print(" ".join("%.2f" % json.loads(l)["seconds"] for l in sys.stdin if "summary" not in l))' <"$file.jsonl")" >&2
      else
        echo "$config $implementation round $round failed (exit $?): $(tail -1 "$file.err")" >&2
      fi
    done
  done
done
uptime >"$out/load-after.txt"

/usr/bin/python3 - "$out" "$epochs" "$rounds" "$torchsharp_dir" <<'PY'
import json, os, platform, statistics, subprocess, sys
out, epochs, rounds, torchsharp_dir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
samples = 60000
names = dict(backprop="Backprop", pytorch="PyTorch", torchsharp="TorchSharp", numpy="numpy loop")

def shell(command):
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()

def package(name):
    return shell("dpkg-query -W -f '${Version}' " + name)

def epochs_of(config, implementation, round):
    path = os.path.join(out, f"{config}.{implementation}.{round}.jsonl")
    lines = [json.loads(l) for l in open(path) if l.strip()] if os.path.exists(path) else []
    return [l for l in lines if l.get("event", "epoch") == "epoch" and "seconds" in l]

print("| config | implementation | median s/epoch | samples/s | ratio to Backprop | test accuracy |")
print("|---|---|---:|---:|---:|---:|")
for config in "ABC":
    medians = {}
    for implementation in names:
        runs = [epochs_of(config, implementation, r) for r in range(1, rounds + 1)]
        seconds = [e["seconds"] for run in runs for e in run if e["epoch"] >= 2]
        complete = [run for run in runs if len(run) == epochs]
        if not complete:
            print(f"| {config} | {names[implementation]} | failed | | | |")
            continue
        median = medians[implementation] = statistics.median(seconds)
        ratio = f"{median / medians['backprop']:.2f}" if "backprop" in medians else ""
        accuracy = 100 * complete[-1][-1]["test_accuracy"]
        print(f"| {config} | {names[implementation]} | {median:.3f} | {samples / median:,.0f} | {ratio} | {accuracy:.2f}% |")

deps = json.load(open(os.path.join(torchsharp_dir, "TorchSharpTrainer.deps.json")))
libraries = {k.split("/")[0]: k.split("/")[1] for k in deps["libraries"]}
os_release = dict(l.rstrip().split("=", 1) for l in open("/etc/os-release") if "=" in l)
lscpu = dict(line.split(":", 1) for line in shell("lscpu").splitlines() if ":" in line)
lscpu = {k.strip(): v.strip() for k, v in lscpu.items()}
load = [open(os.path.join(out, f)).read().split("load average: ")[-1].strip() for f in ("load-before.txt", "load-after.txt")]
versions = {
    "date": shell("date -u '+%Y-%m-%d %H:%M UTC'"),
    "command": ("OMP_WAIT_POLICY=" + os.environ["OMP_WAIT_POLICY"] + " " if "OMP_WAIT_POLICY" in os.environ else "")
               + f"bench/compare.sh {epochs} {rounds}",
    "machine": f"{lscpu.get('Model name', '?')}, {lscpu.get('CPU(s)', '?')} logical CPUs "
               f"({lscpu.get('Core(s) per socket', '?')} cores per socket, {lscpu.get('Thread(s) per core', '?')} threads per core)",
    "system": f"{os_release.get('PRETTY_NAME', '?').strip(chr(34))}, Linux {platform.release()}",
    "load average (1, 5, 15 min) before / after": f"{load[0]} / {load[1]}",
    ".NET SDK": shell("dotnet --version"),
    "PyTorch": shell("/usr/bin/python3 -c 'import torch; print(torch.__version__)'")
               + f" (Debian python3-torch {package('python3-torch')})",
    "TorchSharp": f"TorchSharp-cpu {libraries.get('TorchSharp-cpu', '?')}, libtorch {libraries.get('libtorch-cpu-linux-x64', '?')}",
    "numpy": shell("/usr/bin/python3 -c 'import numpy; print(numpy.__version__)'")
             + f" (Debian python3-numpy {package('python3-numpy')})",
    "OpenBLAS": f"{package('libopenblas0-openmp')} (Debian libopenblas0-openmp)",
    "threads": f"2 (OMP_NUM_THREADS=2, torch.set_num_threads(2), DOTNET_PROCESSOR_COUNT=2), "
               f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}",
    "epochs, rounds": f"{epochs} per run, median over epochs 2..{epochs}; {rounds} round(s)",
}
print()
for key, value in versions.items():
    print(f"- {key}: {value}")
PY
