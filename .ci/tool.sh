#!/usr/bin/env bash
# The packages as a user gets them: pack the library and the tool, install the tool from that folder into a fresh
# tool path, train with it, and check that it wrote a model and real PNG pictures, and that `playground` without a
# checkout says what to do. About 40 s on a shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet pack -c Release src/Backprop -o "$work/nupkg" --nologo -v quiet
dotnet pack -c Release src/Backprop.Cli -o "$work/nupkg" --nologo -v quiet
for package in Backprop Backprop.Cli; do
  [ -f "$work/nupkg/$package.0.1.0.nupkg" ] || { echo "pack made no $package.0.1.0.nupkg"; ls "$work/nupkg"; exit 1; }
done
# The listing is held whole: `unzip -l | grep -q` fails under pipefail when grep stops reading early.
library=$(unzip -l "$work/nupkg/Backprop.0.1.0.nupkg")
grep -q "lib/net10.0/Backprop.Core.xml" <<<"$library" || { echo "the library package has no XML docs"; exit 1; }
grep -q " README.md$" <<<"$library" || { echo "the library package has no README"; exit 1; }
echo "packages: $(cd "$work/nupkg" && ls -l --block-size=K *.nupkg | awk '{print $9, $5}' | tr '\n' ' ')"

# A private NuGet cache and a tool path of its own: nothing of a previous run, or of the machine's tools, is used.
export NUGET_PACKAGES="$work/nuget-cache"
dotnet tool install --tool-path "$work/tools" Backprop.Cli --version 0.1.0 --add-source "$work/nupkg" >/dev/null
mkdir "$work/run"
(cd "$work/run" && "$work/tools/backprop" train --epochs 1 --examples 400 > train.txt)
grep -q "^saved model.safetensors" "$work/run/train.txt" || { echo "the installed tool did not save a model:"; cat "$work/run/train.txt"; exit 1; }
for picture in model.curves.png model.boundary.png; do
  # The 8-byte PNG signature, so a picture is really drawn (SkiaSharp's native library loaded), not just named.
  [ "$(head -c 8 "$work/run/$picture" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    { echo "the installed tool wrote no PNG $picture"; cat "$work/run/train.txt"; exit 1; }
done
(cd "$work/run" && "$work/tools/backprop" evaluate --model model.safetensors --data spiral --examples 400 > evaluate.txt)
grep -q "accuracy" "$work/run/evaluate.txt" || { echo "evaluate with the installed tool printed no accuracy"; exit 1; }

# No checkout beside an installed tool: playground names the fix, exit code 2.
set +e
"$work/tools/backprop" playground --port 5097 2> "$work/playground.txt" > /dev/null
code=$?
set -e
[ $code -eq 2 ] && grep -q -- "--site" "$work/playground.txt" || { echo "playground from the installed tool: exit $code"; cat "$work/playground.txt"; exit 1; }
echo "the installed tool trains, draws PNGs and evaluates; playground without a site: exit 2 with its fix"
