#!/usr/bin/env bash
# Spark GPU discovery script: prints this host's GPUs as a ResourceInformation JSON object,
# e.g. {"name": "gpu", "addresses": ["0","1"]}. Addresses are nvidia-smi ordinals as the executor's container
# sees them, which is what immunobench hands to libtorch (TaskDevices).
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "getGpusResources.sh: nvidia-smi not found on $(hostname)" >&2
  exit 1
fi
indices="$(nvidia-smi --query-gpu=index --format=csv,noheader)"
addresses=""
while read -r index; do
  [[ -n "$index" ]] || continue
  addresses="${addresses:+$addresses,}\"$index\""
done <<<"$indices"
echo "{\"name\": \"gpu\", \"addresses\": [$addresses]}"
