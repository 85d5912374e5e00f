"""--iterations_per_loop: the tf.data batches a device loop trains on, and the
wiring of the NPU adapter's loop (tested with stand-ins for npu_bridge)."""

import json
import os

import numpy as np
import pytest

import backend
import cnews_loader as loader
import run_cnn
from backend import tf
from conftest import fake_npu, write_split


def test_device_batches_follow_the_feed_order_across_epochs_and_resume():
    x = np.arange(11 * 3, dtype=np.int32).reshape(11, 3)
    y = np.eye(2, dtype=np.float32)[np.arange(11) % 2]
    graph = tf.Graph()
    with graph.as_default():
        pipeline = run_cnn.DeviceBatches(tf, 3, 2, batch_size=4)
        with tf.Session() as sess:
            def drain(start_step):
                pipeline.start(sess, x, y, seed=7, num_epochs=3, start_step=start_step)
                out = []
                while True:
                    try:
                        out.append(sess.run(pipeline.next))
                    except tf.errors.OutOfRangeError:
                        return out
            device = drain(0)
            resumed = drain(4)
    rng = np.random.RandomState(7)
    fed = [b for _ in range(3)
           for b in loader.batch_iter(x, y, 4, rng, drop_remainder=True)]
    assert len(device) == len(fed) == 3 * 2  # 11 rows: two full batches an epoch
    for (dx, dy), (fx, fy) in zip(device, fed):
        np.testing.assert_array_equal(dx, fx)
        np.testing.assert_array_equal(dy, fy)
    assert len(resumed) == 2
    np.testing.assert_array_equal(resumed[0][0], fed[4][0])


def test_iterations_per_loop_must_divide_the_print_interval():
    with pytest.raises(SystemExit):
        run_cnn.parse_args(['train', '--iterations_per_loop', '3'])  # 100 % 3
    args = run_cnn.parse_args(['train', '--iterations_per_loop', '4', '--max_steps', '8'])
    assert args.iterations_per_loop == 4


def test_only_the_npu_runs_several_steps_a_call():
    calls = []
    npu = backend.choose_backend('npu', iterations_per_loop=5,
                                 npu_importer=lambda: fake_npu(calls))
    assert npu.steps_per_call == 5
    params = npu.session_config().graph_options.rewrite_options.custom_optimizers[0]
    assert params.parameter_map['iterations_per_loop'].i == 5
    assert params.parameter_map['enable_data_pre_proc'].b
    cpu = backend.choose_backend('cpu', iterations_per_loop=5)
    assert cpu.steps_per_call == 1 and 'NPU only' in cpu.reason


def test_npu_training_loop_is_wired_to_the_adapter(monkeypatch, tmp_path, sample_lines):
    calls = []
    monkeypatch.setattr(backend, 'import_npu', lambda: fake_npu(calls))
    data = write_split(str(tmp_path / 'data'), sample_lines[:120], 80, 20)
    out = str(tmp_path / 'out')
    args = run_cnn.parse_args([
        'train', '--data_path', data, '--output_dir', out, '--cache_dir', '',
        '--seq_length', '50', '--batch_size', '8', '--iterations_per_loop', '2',
        '--print_per_batch', '2', '--max_steps', '6', '--seed', '1',
        '--warmup_steps', '0'])
    run_cnn.setup_logging(os.path.join(out, 'train.log'))
    assert run_cnn.train(args) == 0
    assert calls.count(('set_iteration_per_loop', 2)) == 1
    with open(os.path.join(out, 'losses.tsv')) as f:
        steps = [int(l.split('\t')[0]) for l in f.read().splitlines()[1:]]
    assert steps == [1, 3, 5]  # the last step of each two-step call
    with open(os.path.join(out, 'train_metrics.json')) as f:
        metrics = json.load(f)
    assert metrics['backend'] == 'npu' and metrics['steps'] == 6
    assert metrics['timed_steps'] == 6
    with open(os.path.join(out, 'train.log'), encoding='utf-8') as f:
        iters = [l for l in f if l.startswith('Iter:')]
    assert [int(l.split(',')[0].split()[1]) for l in iters] == [0, 2, 4]
