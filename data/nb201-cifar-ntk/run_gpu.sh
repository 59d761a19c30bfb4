#!/usr/bin/env bash
# The GPU run behind data/nb201-cifar-ntk/ (see README.md there). From the repository root:
#   OUT=/some/dir [LIMIT_S=450] [PY=python] bash data/nb201-cifar-ntk/run_gpu.sh
# Parallel processes share one results store (atomic files), each stopped after LIMIT_S
# seconds; finished results are kept, and a rerun resumes. Process counts set priority:
# 725 archs x CIFAR-10 (4) and CIFAR-100 (2) at official batches, LGA after 1 epoch on
# 200 stratified archs (2), then HNAS's M and kappa for all 15,625 on CIFAR-10 (1).
set -u
D=${OUT:?set OUT}/cifar-ntk; S=$D/store; L=${LIMIT_S:-450}; P=${PY:-python}
mkdir -p "$S"
run() { timeout "$L" env PYTHONPATH=. "$P" -m nascore.studies.cifar_ntk_run "$@" --store "$S" --device cuda --threads 1; }
for i in 0 1 2 3; do run stats --dataset cifar10 --archs zc --shard $i/4 > "$D/c10_$i.log" 2>&1 & done
for i in 0 1; do run stats --dataset cifar100 --archs zc --shard $i/2 > "$D/c100_$i.log" 2>&1 & done
for i in 0 1; do run train --archs stratified:200 --shard $i/2 > "$D/train_$i.log" 2>&1 & done
run stats --dataset cifar10 --archs all --groups hnas > "$D/hnas_all.log" 2>&1 &
wait
PYTHONPATH=. "$P" -m nascore.studies.cifar_ntk_run export --store "$S" --dest "$D/data" > "$D/export.log" 2>&1
tail -n 2 "$D"/*.log
