#!/usr/bin/env bash
# TextCNN on one Ascend NPU (or a GPU, or the CPU), accuracy run: trains
# to early stop or the epoch limit, then scores the best checkpoint.
#   bash run_npu_1p_acc.sh --data_path=data/cnews --batch_size=64
#   bash run_npu_1p_acc.sh --help
# All logic is in scripts/npu_common.sh, shared with run_npu_1p_perf.sh.
set -euo pipefail
NPU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/npu_common.sh
source "$NPU_ROOT/scripts/npu_common.sh"
npu_main acc "$@"
