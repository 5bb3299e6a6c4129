#!/usr/bin/env bash
# The README's demo command: set-up, package the extension, then run the demo (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
npm run package
exec node --import tsx scripts/demo.ts
