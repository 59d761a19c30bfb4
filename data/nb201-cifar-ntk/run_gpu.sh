#!/usr/bin/env bash
# The GPU run behind data/nb201-cifar-ntk/ (see README.md there). From the repository root:
#   OUT=/some/dir [LIMIT_S=450] [PY=python] bash data/nb201-cifar-ntk/run_gpu.sh
# Parallel processes share one results store (atomic files), each stopped after LIMIT_S
# seconds; finished results are kept and a rerun resumes. Process counts set priority:
# 725 archs x CIFAR-10 (4) and CIFAR-100 (2) at official batches (cheap groups first),
# LGA after 1 epoch on 200 stratified archs (2) (HNAS's M and kappa for all 15,625 are done on
# CPU), the batch study of the exact
# kernels at 64/128 on the 50-architecture sample (1; 16 and 32 were run on a CPU), and LGA's own
# population, NB201 cells 0..999 in a fixed shuffled order: the LGA code's kernel at its batch 256 (2)
# and LGA after 1 epoch on the first 200 of that order, a uniform sample of the 1,000 (2; the cells
# already trained on a CPU, those with lga_after_1_epoch in lga_first1000_cifar10.csv, are skipped).
# Tiny check on CPU: DEVICE=cpu ZC=zc,first:3 TRAIN=stratified:200,first:2
#   STUDY=sample:2 BATCHES="4 8" POP=first1000,first:2 POPTRAIN=first1000,first:2 XSTATS="--batch-hnas 8 --batch-tenas 8 --batch-zhu 8 --batch-lga 8" \
#   XTRAIN="--limit 410 --held-out 16"
set -u
D=${OUT:?set OUT}/cifar-ntk; S=$D/store; L=${LIMIT_S:-450}; P=${PY:-python}; X=${XSTATS:-}
mkdir -p "$S"
run() { timeout "$L" env PYTHONPATH=. "$P" -m nascore.cli bench cifar-ntk "$@" --store "$S" --device "${DEVICE:-cuda}" --threads 1; }
for i in 0 1 2 3; do run stats --dataset cifar10 --archs "${ZC:-zc}" --shard $i/4 $X > "$D/c10_$i.log" 2>&1 & done
for i in 0 1; do run stats --dataset cifar100 --archs "${ZC:-zc}" --shard $i/2 $X > "$D/c100_$i.log" 2>&1 & done
for i in 0 1; do run train --archs "${TRAIN:-stratified:200}" --shard $i/2 ${XTRAIN:-} > "$D/train_$i.log" 2>&1 & done
# HNAS's full space (`--archs all --groups hnas`) is complete on CPU (hnas_all_cifar10.csv): not rerun here
for i in 0 1; do run stats --dataset cifar10 --archs "${POP:-first1000}" --groups lga --shard $i/2 $X > "$D/lga_pop_$i.log" 2>&1 & done
for i in 0 1; do run train --archs "${POPTRAIN:-first1000,first:200}" --shard $i/2 ${XTRAIN:-} \
  --skip-table data/nb201-cifar-ntk/lga_first1000_cifar10.csv > "$D/lga_pop_train_$i.log" 2>&1 & done
run batch-study --archs "${STUDY:-sample:50}" --groups lga,zhu --batches ${BATCHES:-64 128} > "$D/batch_study.log" 2>&1 &
wait
PYTHONPATH=. "$P" -m nascore.cli bench cifar-ntk export --store "$S" --dest "$D/data" --extra lga=32 zhu=16 $X \
  > "$D/export.log" 2>&1
PYTHONPATH=. "$P" -m nascore.cli bench cifar-ntk export --store "$S" --dest "$D/data" --lga-population \
  >> "$D/export.log" 2>&1
tail -n 2 "$D"/*.log
