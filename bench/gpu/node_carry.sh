#!/usr/bin/env bash
# Prepares, on this machine, what the GPU machine needs to run the studio's CLI (it has no Node):
#   .gpu-carry/node/node.xz     this machine's Node binary, xz-compressed
#   .gpu-carry/node/akg.mjs     the CLI (main/cli) bundled with esbuild into one file
#   .gpu-carry/node/node_modules/node-pty   the part of node-pty the bundle loads (not bundled:
#                               a native module; the CLI never opens a terminal)
# Then name .gpu-carry in the device call's carry; bench/gpu/model_session.sh unpacks Node.
# The bundle finds the repository (resources/, the harness) upwards from its own folder.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$ROOT/.gpu-carry/node
rm -rf "$out"
mkdir -p "$out/node_modules/node-pty/build/Release"
xz -T0 -6 -c "$(command -v node)" > "$out/node.xz"
entry=$(mktemp -d)/akg-entry.ts
printf "import { runCli } from '%s/main/cli/index.ts'\nprocess.exitCode = await runCli(process.argv.slice(2))\n" "$ROOT" > "$entry"
"$ROOT/node_modules/.bin/esbuild" "$entry" --bundle --platform=node --format=esm --target=node20 \
  --external:node-pty --external:electron --log-level=error --outfile="$out/akg.mjs" \
  --banner:js="import { createRequire } from 'module'; const require = createRequire(import.meta.url);"
pty=$ROOT/node_modules/node-pty
cp -r "$pty/package.json" "$pty/lib" "$out/node_modules/node-pty/"
cp "$pty/build/Release/pty.node" "$out/node_modules/node-pty/build/Release/"
du -sh "$out"
