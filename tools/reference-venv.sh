#!/usr/bin/env bash
# Creates (once) the Python venv that tests, fixture generators and benchmarks use as a reference: Keras 3 on
# TensorFlow CPU (model exchange, the native backend build, the seed bench's peer) and onnxruntime, installed offline
# from the local wheel folders that `pip config list` names. The product never needs it.
# `reference-venv.sh torch` creates the benchmarks' PyTorch peer instead (torch 2.13 CPU, its own venv: CI never needs it).
# Prints the venv's python path on its last line. Cached outside the clone so CI pays the install once per machine.
set -euo pipefail
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/polymodal"
if [[ "${1:-}" == torch ]]; then
  VENV="${POLYMODAL_TORCH_VENV:-$CACHE/torch-venv}"
  PACKAGES=(torch==2.13.0+cpu numpy)
else
  VENV="${POLYMODAL_REFERENCE_VENV:-$CACHE/reference-venv}"
  PACKAGES=(tensorflow_cpu==2.21.0 keras==3.15.1 h5py onnxruntime==1.30.0 onnx numpy)
fi
STAMP="$VENV/.polymodal-packages"
if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "${PACKAGES[*]}" ]]; then
  echo "$VENV/bin/python"; exit 0
fi
# Every wheel folder pip is configured with, as --find-links (a file:// index's wheels lie in its sibling `files`).
LINKS=()
while IFS= read -r value; do
  for entry in $value; do
    dir="${entry#file://}"
    [[ "$dir" == */simple ]] && dir="${dir%/simple}/files"
    [[ -d "$dir" ]] && LINKS+=(--find-links "$dir")
  done
done < <(pip config list 2>/dev/null | grep -E 'find-links|index-url' | sed -E "s/^[^=]*=//; s/'//g")
if [[ ${#LINKS[@]} -eq 0 ]]; then
  echo "reference-venv: no local wheel folders in 'pip config list'; cannot install ${PACKAGES[*]} offline" >&2; exit 1
fi
rm -rf "$VENV.partial"
python3 -m venv "$VENV.partial"
"$VENV.partial/bin/pip" install --quiet --no-index "${LINKS[@]}" "${PACKAGES[@]}" >&2
echo "${PACKAGES[*]}" > "$VENV.partial/.polymodal-packages"
rm -rf "$VENV" && mv "$VENV.partial" "$VENV"
# A venv's scripts name its own path: recreate the interpreter links after the move.
python3 -m venv --upgrade "$VENV" >/dev/null
echo "$VENV/bin/python"
