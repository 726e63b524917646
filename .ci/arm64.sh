#!/usr/bin/env bash
# The GEMM's ARM64 path (AdvSimd, FMLA) on a real ARM64 instruction set, under qemu-user emulation (issue 13):
# tests/Arm64Check published self-contained for linux-arm64 runs the kernel, layer, cross-check and training tests
# in-process and two small training runs, compared with the same runs on this x86 machine. Exits non-zero on any
# failure or mismatch; the check's summary line is "N passed, N failed". Emulated timings say nothing about ARM64 speed.
#
# What the runtime needs under qemu-user (found by trying, qemu 7.2 and .NET 10):
# - DOTNET_EnableWriteXorExecute=0. With W^X on, the JIT writes code through a second, writable mapping of the same
#   memory; qemu-user tracks the code it has translated by guest address, misses writes made through the alias, and
#   runs stale translations: random segfaults, aborts, and corrupt reflection ("NullReferenceException in
#   InlineDataAttribute..ctor" during discovery).
# - ARM64 libc, libstdc++ and libssl (Debian multiarch :arm64 packages): the runtime's hashing (SHA-256 of the
#   checkpoint files) goes through OpenSSL on Linux, and aborts with "No usable version of libssl was found" without it.
# Not needed: DOTNET_GCHeapHardLimit, DOTNET_TieredCompilation, QEMU_CPU (the default "max" CPU; AdvSimd and FMLA
# are in every ARMv8-A), binfmt_misc (the program is started through qemu-aarch64-static by name, so this works in a
# container where /proc/sys/fs/binfmt_misc is not mounted).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

missing=()
[ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
update=
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  update=1
fi
for package in libc6:arm64 libstdc++6:arm64 libssl3:arm64; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ] || [ -n "$update" ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The reference training run on this processor (x86-64: AVX-512, AVX2 or SSE, whichever it has).
dotnet build tests/Arm64Check -c Release >"$work/build.log" 2>&1 || { grep -E " error " "$work/build.log"; exit 1; }
dotnet tests/Arm64Check/bin/Release/net10.0/Arm64Check.dll --write-training "$work/x86.json"

# The same program for ARM64, with its own runtime (the SDK picks the runtime pack's version).
dotnet publish tests/Arm64Check -c Release -r linux-arm64 --self-contained -o "$work/arm64" >"$work/publish.log" 2>&1 ||
  { grep -E " error " "$work/publish.log"; exit 1; }

status=0
DOTNET_EnableWriteXorExecute=0 qemu-aarch64-static "$work/arm64/Arm64Check" --expect-training "$work/x86.json" || status=$?
echo "ARM64 check under qemu-user: $((SECONDS - started)) s in all (install, build, publish, emulated run), exit code $status"
exit $status
