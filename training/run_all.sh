#!/usr/bin/env bash
# Reproduces every model, evaluation, export and parity fixture. Data root: $PLEURA_DATA (default ../shared/data from the repo root).
# Order matters: seg streams fine-tune from seg-pretrain. Times measured here are in README.md.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PY:-/usr/bin/python3}
$PY -m pleura_train.data                      # splits/*.csv (committed) + .cache/ (uint8 arrays)
for r in seg-pretrain seg-ggo seg-ggo-scratch seg-consolidation seg-effusion seg-all manifestations \
         recognition recognition-multimodal recognition-xray loso-kermany loso-radiography-db; do
  $PY -m pleura_train.train "$r"
done
$PY -m pleura_train.evaluate stage1
$PY -m pleura_train.evaluate stage2
$PY -m pleura_train.evaluate stage3
$PY -m pleura_train.evaluate quant
$PY -m pleura_train.lopo                       # effusion stream, leave one patient out (6 folds, ~18 min)
$PY -m pleura_train.export
$PY -m pleura_train.cards
$PY -m pleura_train.report
node check_onnx.mjs 1e-3 results/onnx_parity.json
$PY -m pleura_train.report   # again, to quote the parity result
