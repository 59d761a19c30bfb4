#!/usr/bin/env bash
# The paper-scale supernet run (issue 25, item 3; nascore/supernet/paper_scale.py): BigNAS's full
# recipe and its ablations (no_sandwich, no_distillation, neither) at NAS-Bench-201's size and
# epochs (C = 16, N = 5, 200 epochs) on the 10,000 shipped CIFAR-10 training images, on one GPU.
# From the repository root:
#   OUT=/some/dir [LIMIT_S=540] [PY=python] [DEVICE=cuda] [SEEDS="0"] bash data/nb201-supernet/run_gpu.sh
# One process per variant and seed (children: zc, sample:200, ends) and SHARDS (4) processes training
# zcsample:100 alone with the same budget, all at once on the one GPU, each stopped after LIMIT_S
# seconds. The work folder is the store: a checkpoint per epoch and a results store of evaluated children, so the
# same command, run again, resumes (a finished run costs nothing). When every process has finished,
# it collects them and writes the table to $OUT/supernet-paper/data/nb201-supernet-paper-scale/;
# copy that folder into data/ and the chapter (notebooks/80_supernet.ipynb) reads it. Each run's
# summary.json holds its probe (seconds per supernet step) within a minute of its start.
# Tiny check on CPU (tests/test_supernet_paper_scale.py runs it):
#   DEVICE=cpu EPOCHS=1 WIDTH=2 CELLS=1 CHILDREN="zc:3 ends" STANDALONE=zc:2 SHARDS=1 \
#   XSCALE="--train-images 32 --batch-size 16 --test-images 40" XRUN="--calibration-images 16 --cost-steps 1"
set -u
D=${OUT:?set OUT}/supernet-paper; W=$D/work; L=${LIMIT_S:-540}; P=${PY:-python}; K=${SHARDS:-4}
SCALE="-C ${WIDTH:-16} -N ${CELLS:-5} --epochs ${EPOCHS:-200} --device ${DEVICE:-cuda} --threads 1 --no-progress"
mkdir -p "$W"
sn() { timeout "$L" env PYTHONPATH=. "$P" -m nascore.cli supernet "$@"; }
pids=()
for s in ${SEEDS:-0}; do for v in full no_sandwich no_distillation neither; do
  sn run --work "$W" --variant $v --seed $s $SCALE ${XSCALE:-} ${XRUN:-} --children ${CHILDREN:-zc sample:200 ends} \
    > "$D/$v-s$s.log" 2>&1 & pids+=($!)
done; done
for ((i = 0; i < K; i++)); do
  sn standalone --work "$W" --children "${STANDALONE:-zcsample:100}" --shard $i/$K $SCALE ${XSCALE:-} \
    > "$D/standalone-$i.log" 2>&1 & pids+=($!)
done
left=0; for p in "${pids[@]}"; do wait "$p" || left=$((left + 1)); done
tail -n 1 "$D"/*.log
if [ "$left" -gt 0 ]; then
  echo "$left process(es) stopped before the end (LIMIT_S or an error above); run the same command again to resume"
  exit 1
fi
sn collect --work "$W" --out "$D/collected" && \
  sn table --collected "$D/collected" --to "$D/data/nb201-supernet-paper-scale" \
    --command "OUT=... bash data/nb201-supernet/run_gpu.sh (SEEDS=${SEEDS:-0}, LIMIT_S=$L, reruns until finished)"
