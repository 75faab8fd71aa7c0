#!/usr/bin/env bash
# Reruns the comparison that produced this dossier and checks that result.json is reproduced byte for byte.
# Inputs must be unchanged (see inputs.sha256); PEDIGREE overrides the launcher.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pedigree="${PEDIGREE:-pedigree}"
out="$(mktemp -d)"
cd '$ROOT/pedigree-cli'
set +e
"$pedigree" 'compare' '$MODELS/dir-all-minilm-l6-v2-q' '$MODELS/dir-all-minilm-l6-v2' '--sample' '128' --json "$out/result.json" >/dev/null
code=$?
set -e
if [ "$code" -ne 10 ] && [ "$code" -ne 11 ] && [ "$code" -ne 12 ]; then echo "rerun failed with exit code $code" >&2; exit "$code"; fi
if cmp -s "$out/result.json" "$here/result.json"; then echo "reproduced: result.json is identical"; else echo "NOT reproduced: result.json differs" >&2; diff "$out/result.json" "$here/result.json" | head -20 >&2; exit 1; fi
