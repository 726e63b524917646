#!/usr/bin/env bash
# Coverage-guided fuzzing of the file readers: SharpFuzz instruments Backprop.Core.dll, AFL++ (Debian's afl++)
# drives fuzz/Backprop.Fuzz, for a bounded time per target. The oracle is the tests' (FuzzTargets.Run): anything
# but a read or a one-line BackpropException within the allocation allowance is a crash; -t catches hangs.
#
# usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; idx-images idx-labels csv safetensors-file)
# Work goes to $FUZZ_OUT (default /tmp/backprop-fuzz). Exit 1 if any target found a crash or a hang; each one is
# replayed with its message, and belongs in tests/Backprop.Tests/Fuzzing/corpus/FORMAT/ once the reader is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx-images idx-labels csv safetensors-file)
out=${FUZZ_OUT:-/tmp/backprop-fuzz}

if ! command -v afl-fuzz >/dev/null; then
  echo "installing afl++"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
tools="$out/tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

rm -rf "$out/bin" "$out/plain" "$out/findings" "$out/seeds"
dotnet publish fuzz/Backprop.Fuzz -c Release -o "$out/bin" --nologo -v quiet
# Only the library is instrumented: coverage of the readers is what guides AFL. Instrumented code runs only under
# afl-fuzz, so seeds and replays use an uninstrumented copy.
cp -r "$out/bin" "$out/plain"
"$tools/sharpfuzz" "$out/bin/Backprop.Core.dll"

format_of() {
  case "$1" in idx-*) echo idx ;; csv*) echo csv ;; checkpoint*) echo checkpoint ;; *) echo safetensors ;; esac
}

# AFL's sanity checks expect a native instrumented binary; the target is `dotnet`, which SharpFuzz instruments.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
mkdir -p "$out/tmp"
export TMPDIR="$out/tmp"   # the harness writes each input to a file there

status=0
for target in "${targets[@]}"; do
  format=$(format_of "$target")
  seeds="$out/seeds/$target"
  dotnet "$out/plain/Backprop.Fuzz.dll" seeds "$format" "$seeds" >/dev/null
  # Saved regression inputs join the seeds (small ones: AFL wants inputs under 1 MB, and fast ones).
  find "tests/Backprop.Tests/Fuzzing/corpus/$format" -type f -size -8k -exec cp {} "$seeds/" \; 2>/dev/null || true
  findings="$out/findings/$target"
  mkdir -p "$out/findings"
  echo "== $target: $seconds s of afl-fuzz"
  afl-fuzz -V "$seconds" -t 5000 -m none -i "$seeds" -o "$findings" -- dotnet "$out/bin/Backprop.Fuzz.dll" "$target" \
    > "$out/afl-$target.log" 2>&1 || { echo "afl-fuzz failed; its log:"; tail -30 "$out/afl-$target.log"; status=1; continue; }
  stats="$findings/default/fuzzer_stats"
  execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats")
  paths=$(awk -F' *: *' '$1=="corpus_count"{print $2}' "$stats")
  crashes=$(find "$findings/default/crashes" -type f -name 'id:*' | wc -l)
  hangs=$(find "$findings/default/hangs" -type f -name 'id:*' | wc -l)
  echo "   $execs executions, $paths inputs in the corpus, $crashes crashes, $hangs hangs"
  if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    status=1
    find "$findings/default/crashes" "$findings/default/hangs" -type f -name 'id:*' -print0 |
      xargs -0 dotnet "$out/plain/Backprop.Fuzz.dll" replay "$target" || true
  fi
done
exit $status
