#!/usr/bin/env bash
# Builds the starter registry pack that makes `pedigree identify` useful on a fresh clone.
#
# Entries (each with provenance: source, SHA-256 of the fingerprinted file, licence):
#   - the four fp32 ONNX embedding models inside dev.langchain4j:langchain4j-embeddings-* jars on Maven
#     Central (all-MiniLM-L6-v2, bge-small-en-v1.5, bge-small-zh-v1.5, e5-small-v2), each with its tokenizer;
#     the build already fetched them into the local Maven repository (pedigree-testkit depends on them);
#   - the vocab-only GGUFs, tiktoken files, HF tokenizer and SentencePiece model of ../shared/fixtures
#     (see its MANIFEST.md), when that folder exists; skipped with a note when it does not.
#
# Not committed: the pack is a few MB of fingerprints of files that are public elsewhere, so it is built
# here, in a minute or two, from those files. The launcher runs this script on the first `identify` that
# uses the default registry, and `identify` imports the pack into that registry (saying so on stderr).
#
# Usage: scripts/build-starter-pack.sh [OUT_DIR]   (default build-output/starter-pack)
# Writes OUT_DIR/starter.pack (a pedigree/registry-pack/v1 zip) and OUT_DIR/provenance.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/build-output/starter-pack}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/starter.db"
pedigree="$root/pedigree"

repo="$HOME/.m2/repository"
if [[ "${MAVEN_OPTS:-}" =~ -Dmaven\.repo\.local=([^[:space:]]+) ]]; then
  repo="${BASH_REMATCH[1]}"
fi

entries=()   # provenance JSON objects
say() { echo "starter-pack: $*" >&2; }

sha256() { sha256sum "$1" | cut -d' ' -f1; }

json_str() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1" 2>/dev/null || printf '"%s"' "$1"; }

add() { # name licence organisation source-description file-for-hash model-path
  local name="$1" licence="$2" org="$3" source="$4" hashed="$5" model="$6"
  if "$pedigree" registry add "$model" --name "$name" --license "$licence" --organisation "$org" \
      --registry "$db" >/dev/null 2>"$work/add.err"; then
    entries+=("{\"name\": $(json_str "$name"), \"licence\": $(json_str "$licence"), \"organisation\": $(json_str "$org"), \"source\": $(json_str "$source"), \"sha256\": \"$(sha256 "$hashed")\"}")
    say "added $name"
  else
    say "skipped $name: $(tail -1 "$work/add.err")"
  fi
}

# name | artifact | version | licence of the model | organisation
models=(
  "sentence-transformers/all-MiniLM-L6-v2|all-minilm-l6-v2|1.19.0-beta29|Apache-2.0|sentence-transformers"
  "BAAI/bge-small-en-v1.5|bge-small-en-v15|0.36.2|MIT|BAAI"
  "BAAI/bge-small-zh-v1.5|bge-small-zh-v15|1.19.0-beta29|MIT|BAAI"
  "intfloat/e5-small-v2|e5-small-v2|0.36.2|MIT|intfloat"
)
for m in "${models[@]}"; do
  IFS='|' read -r name artifact version licence org <<<"$m"
  coords="dev.langchain4j:langchain4j-embeddings-$artifact:$version"
  jar="$repo/dev/langchain4j/langchain4j-embeddings-$artifact/$version/langchain4j-embeddings-$artifact-$version.jar"
  if [ ! -f "$jar" ]; then
    (cd "$root" && ./mvnw -B -q dependency:get -Dartifact="$coords" >/dev/null 2>&1) || true
  fi
  if [ ! -f "$jar" ]; then
    say "skipped $name: $coords is not in $repo and could not be fetched"
    continue
  fi
  base="$(unzip -Z1 "$jar" | grep -E '\.onnx$' | head -1)"
  base="${base%.onnx}"
  dir="$work/models/$artifact"
  mkdir -p "$dir"
  unzip -p "$jar" "$base.onnx" >"$dir/model.onnx"
  unzip -p "$jar" "$base-tokenizer.json" >"$dir/tokenizer.json" 2>/dev/null || rm -f "$dir/tokenizer.json"
  url="https://repo1.maven.org/maven2/dev/langchain4j/langchain4j-embeddings-$artifact/$version/langchain4j-embeddings-$artifact-$version.jar"
  add "$name" "$licence" "$org" "$coords ($url), entry $base.onnx" "$dir/model.onnx" "$dir"
done

fixtures="${PEDIGREE_FIXTURES:-$root/../shared/fixtures}"
if [ -f "$fixtures/MANIFEST.md" ]; then
  for f in "$fixtures"/gguf-vocab/*.gguf "$fixtures"/tiktoken/*.tiktoken "$fixtures"/hf-tokenizers/*.json \
           "$fixtures"/sentencepiece/*.model; do
    [ -f "$f" ] || continue
    rel="${f#"$fixtures"/}"
    # licence and upstream from MANIFEST.md's row for this file (or its folder's wildcard row)
    row="$(grep -F "| $rel |" "$fixtures/MANIFEST.md" | head -1 || true)"
    licence="$(printf '%s' "$row" | awk -F'|' '{gsub(/^ +| +$/, "", $5); print $5}')"
    upstream="$(printf '%s' "$row" | awk -F'|' '{gsub(/^ +| +$/, "", $4); print $4}')"
    [ -n "$licence" ] || licence="NOASSERTION"
    stem="$(basename "$f")"; stem="${stem%.*}"; stem="${stem#ggml-vocab-}"
    add "tokenizer/$stem" "$licence" "${upstream:-unknown}" "../shared/fixtures/$rel (upstream: ${upstream:-see MANIFEST.md})" "$f" "$f"
  done
else
  say "no ../shared/fixtures here: the pack holds the Maven Central models only"
fi

if [ "${#entries[@]}" -eq 0 ]; then
  say "nothing could be added; no pack written"
  exit 3
fi
"$pedigree" registry export "$out/starter.pack" --registry "$db" >/dev/null
{
  echo "{"
  echo "  \"schema\": \"pedigree/starter-pack-provenance/v1\","
  echo "  \"pack\": \"starter.pack\","
  echo "  \"pack_sha256\": \"$(sha256 "$out/starter.pack")\","
  echo "  \"entries\": ["
  for i in "${!entries[@]}"; do
    sep=","; [ "$i" -eq $((${#entries[@]} - 1)) ] && sep=""
    echo "    ${entries[$i]}$sep"
  done
  echo "  ]"
  echo "}"
} >"$out/provenance.json"
say "wrote $out/starter.pack (${#entries[@]} entries) and $out/provenance.json"
