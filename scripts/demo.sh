#!/usr/bin/env bash
# Sets up TF 2.x from requirements.txt and runs the main job on the bundled
# demo corpus: train, test, then predict two texts. Output in output/demo.
#   bash scripts/demo.sh [extra run_cnn.py flags, e.g. --device cpu]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_env.sh
make_venv .venv requirements.txt -- python3
out=output/demo
py=.venv/bin/python
$py run_cnn.py train --data_path demo --output_dir "$out" --num_epochs 8 --print_per_batch 20 --seed 1 "$@"
$py run_cnn.py test --data_path demo --output_dir "$out" "$@"
$py run_cnn.py predict --output_dir "$out" "$@" \
    "主队在下半场连扳两球，最终以3比2逆转取胜，主教练赛后表示球员们展现了顽强的斗志。" \
    "央行宣布下调存款准备金率0.5个百分点，分析人士认为此举将释放长期资金约1万亿元。"
