#!/usr/bin/env bash
# TextCNN on one Ascend NPU (or a GPU, or the CPU), performance run: a
# fixed number of training steps, timed in Python.
#   bash run_npu_1p_perf.sh --data_path=data/cnews --steps=200
#   bash run_npu_1p_perf.sh --help
# All logic is in scripts/npu_common.sh, shared with run_npu_1p_acc.sh.
set -euo pipefail
NPU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/npu_common.sh
source "$NPU_ROOT/scripts/npu_common.sh"
npu_main perf "$@"
