"""benchmark.py: the FLOP count, the corpus and cache checks, the JSON fields."""

import json
import os
import subprocess
import sys
import time

import numpy as np

from conftest import ROOT

import benchmark
import cnews_loader as loader

FIELDS = ('matmul_gflops', 'flops_per_step', 'train_steps_per_sec',
          'train_samples_per_sec', 'train_gflops', 'train_share_of_peak',
          'reference_steps_per_sec', 'reference_samples_per_sec',
          'train_over_reference', 'feed_loop_steps_per_sec', 'train_over_feed_loop',
          'feed_ms_per_step', 'reference_share_of_peak', 'eval_samples_per_sec',
          'validation_overhead',
          'data_cold_s', 'data_cached_s', 'peak_rss_mb')


class _Config(object):
    batch_size, seq_length, kernel_size = 3, 7, 2
    embedding_dim, num_filters, hidden_dim, num_classes = 4, 5, 6, 2


def test_flops_match_a_hand_count():
    # 6 conv outputs per text, each 2*4*5 multiply-adds; then 5x6 and 6x2.
    per_text = 6 * 2 * 4 * 5 + 5 * 6 + 6 * 2
    assert benchmark.train_flops_per_step(_Config) == 3 * 2 * 3 * per_text


def test_reference_shape_is_about_18_8_gflop():
    import cnn_model
    flops = benchmark.train_flops_per_step(cnn_model.TCNNConfig())
    assert abs(flops / 1e9 - 18.8) < 0.1


def _corpus(tmp_path, words):
    path = str(tmp_path / 'c.txt')
    benchmark.write_corpus(path, words, 40, 50, seed=1)
    return path


def test_cache_returns_identical_arrays(tmp_path):
    words = benchmark.synthetic_vocab(300)
    w2i = {w: i for i, w in enumerate(words)}
    _, c2i = loader.read_category()
    out = benchmark.bench_load(_corpus(tmp_path, words), w2i, c2i, 30,
                               str(tmp_path / 'cache'), 1)
    assert out['articles'] == 40 and out['cache_identical']


def test_cached_ids_follow_a_changed_file(tmp_path, monkeypatch):
    words = benchmark.synthetic_vocab(300)
    w2i = {w: i for i, w in enumerate(words)}
    _, c2i = loader.read_category()
    path, cache = _corpus(tmp_path, words), str(tmp_path / 'cache')
    monkeypatch.setattr(loader, '_STAT_TRUST_SECONDS', 0.0)  # memo every digest
    first = loader.process_file(path, w2i, c2i, 30, cache_dir=cache)[0]
    assert any(n.endswith('.digest.json') for n in os.listdir(cache))
    with open(path, 'rb') as f:
        data = f.read()
    # Same size, same mtime: only the content (and so ctime) changes.
    stat = os.stat(path)
    time.sleep(0.01)
    swapped = data.replace(words[1].encode('utf-8'), words[2].encode('utf-8'))
    assert swapped != data and len(swapped) == len(data)
    with open(path, 'wb') as f:
        f.write(swapped)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = loader.process_file(path, w2i, c2i, 30, cache_dir=cache)[0]
    fresh = loader.process_file(path, w2i, c2i, 30)[0]
    assert np.array_equal(second, fresh) and not np.array_equal(first, second)


def test_quick_run_writes_every_field(tmp_path):
    out = str(tmp_path / 'bench.json')
    args = ['--device', 'cpu', '--quick', '--articles', '300', '--eval_size', '70',
            '--steps', '2', '--repeats', '1', '--batch_size', '8',
            '--seq_length', '40', '--json', out]
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'benchmark.py')] + args,
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'matmul 4096 peak' in proc.stdout
    with open(out) as f:
        result = json.load(f)
    for name in FIELDS:
        assert result[name] > 0, name
    assert result['backend'] == 'cpu' and result['data_articles'] == 300
    assert result['data_cache_identical'] is True
    assert result['flops_per_step'] == benchmark.train_flops_per_step(
        type('C', (), dict(batch_size=8, seq_length=40, kernel_size=5,
                           embedding_dim=64, num_filters=256, hidden_dim=128,
                           num_classes=10)))
