#!/usr/bin/env bash
# Prints the path of a Node 24 binary, installing it first when it is missing: the npm package
# `node-linux-<arch>@24` (the official Node.js build, published on the npm registry) goes into the
# git-ignored folder .runtimes/node24/. Idempotent and instant when present.
#   bash scripts/node24.sh            path of the installed binary (installs the latest 24.x if absent)
#   bash scripts/node24.sh --update   reinstalls when the registry has a newer 24.x
# ROTOR_NODE24=/path/to/node skips the install and is printed as is (after checking it is Node 24).
set -euo pipefail
cd "$(dirname "$0")/.."
major=24
check() { [ -x "$1" ] && [ "$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$major" ]; }
if [ -n "${ROTOR_NODE24:-}" ]; then
  if check "$ROTOR_NODE24"; then echo "$ROTOR_NODE24"; exit 0; fi
  echo "ROTOR_NODE24=$ROTOR_NODE24 is not a Node $major binary" >&2
  exit 1
fi
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
pkg="node-linux-$arch"
dir=".runtimes/node$major"
bin="$dir/node_modules/$pkg/bin/node"
if check "$bin" && [ "${1:-}" != --update ]; then
  echo "$PWD/$bin"
  exit 0
fi
if [ "${1:-}" = --update ] && check "$bin"; then
  latest="$(npm view "$pkg@$major" version --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v.at(-1):v)})')"
  if [ "$latest" = "$("$bin" -p process.versions.node)" ]; then echo "$PWD/$bin"; exit 0; fi
fi
echo "installing $pkg@$major into $dir" >&2
mkdir -p "$dir"
# A package.json of its own keeps npm from walking up to the project's.
[ -f "$dir/package.json" ] || echo '{ "private": true }' >"$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$pkg@$major" >&2
if ! check "$bin"; then
  echo "installing $pkg@$major did not give a working Node $major at $bin" >&2
  exit 1
fi
echo "$PWD/$bin"
