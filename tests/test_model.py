"""cnn_model and backend: graph shapes, variable names, a training step, configs."""


import numpy as np
import pytest

import backend
import cnn_model
from backend import tf
from conftest import fake_npu

# Unequal sizes, so that a swapped dimension cannot go unnoticed.
TINY = dict(vocab_size=50, embedding_dim=6, seq_length=20, num_filters=7,
            kernel_size=3, hidden_dim=5, num_classes=4, batch_size=3)


def cpu():
    return backend.choose_backend('cpu')


def build(config, chosen=None, seed=1):
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        model = cnn_model.TextCNN(config, chosen or cpu())
    return graph, model


def fixed_batch(config, rows=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randint(0, config.vocab_size, (rows, config.seq_length)).astype(np.int32)
    y = np.eye(config.num_classes, dtype=np.float32)[rng.randint(0, config.num_classes, rows)]
    return x, y


def test_variables_have_the_reference_names_and_shapes():
    graph, _ = build(cnn_model.TCNNConfig())
    with graph.as_default():
        shapes = {v.op.name: v.shape.as_list() for v in tf.trainable_variables()}
        every = {v.op.name for v in tf.global_variables()}
    assert shapes == {
        'embedding': [5000, 64],
        'conv/kernel': [5, 64, 256], 'conv/bias': [256],
        'fc1/kernel': [256, 128], 'fc1/bias': [128],
        'fc2/kernel': [128, 10], 'fc2/bias': [10]}
    assert {'conv/kernel/Adam', 'conv/kernel/Adam_1', 'embedding/Adam',
            'optimize/beta1_power', 'optimize/beta2_power'} <= every
    assert len(every) == 7 * 3 + 2  # weights, two Adam slots each, two powers


def test_tensor_names_and_output_shapes():
    config = cnn_model.TCNNConfig(**TINY)
    graph, model = build(config)
    assert model.input_x.op.name == 'input_x' and model.input_x.dtype == tf.int32
    assert model.input_y.op.name == 'input_y'
    assert model.keep_prob.op.name == 'keep_prob'
    x, y = fixed_batch(config, rows=3)
    with tf.Session(graph=graph) as sess:
        sess.run(tf.variables_initializer(graph.get_collection('variables')))
        logits, cls, losses, loss, acc = sess.run(
            [model.logits, model.y_pred_cls, model.per_example_loss, model.loss,
             model.acc], {model.input_x: x, model.input_y: y})
    assert logits.shape == (3, 4) and cls.shape == (3,) and losses.shape == (3,)
    np.testing.assert_array_equal(cls, logits.argmax(1))
    assert np.isclose(loss, losses.mean()) and 0.0 <= acc <= 1.0


def test_one_adam_step_lowers_the_loss_on_a_fixed_batch():
    config = cnn_model.TCNNConfig(**dict(TINY, learning_rate=0.01))
    graph, model = build(config)
    x, y = fixed_batch(config, rows=8)
    feed = {model.input_x: x, model.input_y: y}
    with tf.Session(graph=graph) as sess:
        sess.run(tf.variables_initializer(graph.get_collection('variables')))
        before = sess.run(model.loss, feed)
        sess.run(model.optim, feed)  # keep_prob defaults to 1.0
        after = sess.run(model.loss, feed)
    assert after < before


def test_dropout_is_off_by_default_and_on_with_keep_prob():
    config = cnn_model.TCNNConfig(**TINY)
    graph, model = build(config)
    x, y = fixed_batch(config, rows=3)
    with tf.Session(graph=graph) as sess:
        sess.run(tf.variables_initializer(graph.get_collection('variables')))
        a, b = (sess.run(model.logits, {model.input_x: x}) for _ in range(2))
        c = sess.run(model.logits, {model.input_x: x, model.keep_prob: 0.5})
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_dense_gradient_gather_matches_embedding_lookup():
    graph = tf.Graph()
    with graph.as_default():
        table = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
        ids = tf.constant([[0, 2, 2], [3, 0, 1]])
        weights = tf.constant(np.random.RandomState(0).rand(2, 3, 3).astype(np.float32))
        dense = backend.dense_grad_gather(table, ids)
        sparse = tf.nn.embedding_lookup(table, ids)
        g_dense = tf.gradients(tf.reduce_sum(dense * weights), table)[0]
        g_sparse = tf.convert_to_tensor(
            tf.gradients(tf.reduce_sum(sparse * weights), table)[0])
        with tf.Session() as sess:
            out = sess.run([dense, sparse, g_dense, g_sparse])
    np.testing.assert_array_equal(out[0], out[1])
    np.testing.assert_allclose(out[2], out[3], rtol=1e-6)
    assert isinstance(g_dense, tf.Tensor)  # dense, not IndexedSlices


def test_config_rejects_bad_values_with_the_fix():
    with pytest.raises(ValueError, match='seq_length 3 is shorter than kernel_size 5'):
        cnn_model.TCNNConfig(seq_length=3).validate()
    with pytest.raises(ValueError, match='dropout_keep_prob'):
        cnn_model.TCNNConfig(dropout_keep_prob=0.0).validate()
    with pytest.raises(ValueError, match='unknown TCNNConfig field'):
        cnn_model.TCNNConfig(seq_len=3)


# ---------------------------------------------------------------- backends

def test_npu_config_carries_npu_optimizer_and_turns_rewrites_off():
    config = backend.npu_session_config('allow_mix_precision', iterations_per_loop=10)
    rewrite = config.graph_options.rewrite_options
    assert [o.name for o in rewrite.custom_optimizers] == ['NpuOptimizer']
    params = rewrite.custom_optimizers[0].parameter_map
    assert params['use_off_line'].b is True
    assert params['precision_mode'].s == b'allow_mix_precision'
    assert params['iterations_per_loop'].i == 10
    assert params['enable_data_pre_proc'].b is True
    off = backend.rewriter_config_pb2.RewriterConfig.OFF
    assert rewrite.remapping == off and rewrite.memory_optimization == off
    # The proto survives a serialisation round trip, as the adapter reads it.
    again = tf.ConfigProto.FromString(config.SerializeToString())
    assert again == config


def test_gpu_and_cpu_configs_have_no_npu_optimizer():
    gpu = backend.gpu_session_config()
    assert gpu.gpu_options.allow_growth
    assert not gpu.graph_options.rewrite_options.custom_optimizers
    amp = backend.gpu_session_config(mixed_precision=True)
    assert amp.graph_options.rewrite_options.auto_mixed_precision == (
        backend.rewriter_config_pb2.RewriterConfig.ON)
    cpu_config = backend.cpu_session_config()
    assert not cpu_config.graph_options.rewrite_options.custom_optimizers
    assert cpu_config.device_count['GPU'] == 0


def test_choice_order_npu_then_gpu_then_cpu():
    calls = []
    npu = backend.choose_backend('auto', npu_importer=lambda: fake_npu(calls),
                                 gpu_counter=lambda: 1)
    assert (npu.name, npu.precision_mode) == ('npu', 'allow_fp32_to_fp16')
    assert npu.static_shapes and 'npu_bridge' in npu.reason
    assert npu.session_config().graph_options.rewrite_options.custom_optimizers
    gpu = backend.choose_backend('auto', npu_importer=lambda: None, gpu_counter=lambda: 2)
    assert gpu.name == 'gpu' and '2 GPU' in gpu.reason and not gpu.static_shapes
    cpu_backend = backend.choose_backend('auto', npu_importer=lambda: None,
                                         gpu_counter=lambda: 0)
    assert cpu_backend.name == 'cpu'
    forced = backend.choose_backend('cpu', npu_importer=lambda: fake_npu(calls),
                                    gpu_counter=lambda: 1)
    assert forced.name == 'cpu' and 'forced' in forced.reason


def test_forcing_a_missing_device_fails_clearly():
    with pytest.raises(backend.BackendError, match='npu_bridge does not import'):
        backend.choose_backend('npu', npu_importer=lambda: None)
    with pytest.raises(backend.BackendError, match='sees no GPU'):
        backend.choose_backend('gpu', npu_importer=lambda: None, gpu_counter=lambda: 0)
    with pytest.raises(ValueError, match='precision_mode'):
        backend.choose_backend('cpu', precision_mode='fp8')


def test_npu_graph_uses_npu_dropout_static_batch_and_loss_scaling(monkeypatch):
    monkeypatch.setenv('RANK_SIZE', '2')
    calls = []
    chosen = backend.choose_backend('npu', 'allow_mix_precision',
                                    npu_importer=lambda: fake_npu(calls))
    config = cnn_model.TCNNConfig(**TINY)
    graph, model = build(config, chosen)
    assert model.input_x.shape.as_list() == [3, 20]  # static batch on the NPU
    assert calls == ['npu_ops.dropout', 'distributed', 'loss_scale']
    with graph.as_default():
        ops = {op.type for op in graph.get_operations()}
    assert 'UnsortedSegmentSum' in ops  # dense embedding gradient
    calls[:] = []
    chosen = backend.choose_backend('npu', 'force_fp32',
                                    npu_importer=lambda: fake_npu(calls))
    monkeypatch.setenv('RANK_SIZE', '1')
    build(config, chosen)
    assert calls == ['npu_ops.dropout']  # no scaling in fp32, no allreduce alone


def test_routed_max_pool_gradient_equals_autodiff():
    """The CPU's argmax-routed gradient gives autodiff's values, padding ties too."""
    config = cnn_model.TCNNConfig(**TINY)
    x, y = fixed_batch(config, rows=4)
    x[:2, :12] = 0  # long runs of <PAD>: many equal windows tie for the max
    results = []
    for routed in (False, True):
        chosen = cpu()
        chosen.routed_pool_grad = routed
        graph, model = build(config, chosen, seed=5)
        with graph.as_default():
            variables = sorted(tf.trainable_variables(), key=lambda v: v.op.name)
            grads = [tf.convert_to_tensor(g) for g in tf.gradients(model.loss, variables)]
            with tf.Session() as sess:
                sess.run(tf.variables_initializer(graph.get_collection('variables')))
                if results:  # the same weights as the autodiff graph
                    for v, value in zip(variables, results[0][0]):
                        v.load(value, sess)
                results.append((sess.run(variables),
                                sess.run(grads, {model.input_x: x, model.input_y: y})))
    assert any(op.type == 'UnsortedSegmentSum' for op in graph.get_operations())
    for plain, routed in zip(results[0][1], results[1][1]):
        assert np.abs(plain).max() > 0
        np.testing.assert_allclose(routed, plain, rtol=1e-5, atol=1e-6)


def test_gpu_mixed_precision_adds_loss_scaling():
    chosen = backend.choose_backend('gpu', 'allow_mix_precision',
                                    npu_importer=lambda: None, gpu_counter=lambda: 1)
    assert chosen.precision_mode == 'allow_mix_precision'
    try:
        graph, _ = build(cnn_model.TCNNConfig(**TINY), chosen)
    finally:  # the rewrite is process-wide; later tests build fp32 graphs
        tf.train.experimental.disable_mixed_precision_graph_rewrite()
    with graph.as_default():
        names = {v.op.name for v in tf.global_variables()}
    assert any('loss_scale' in n for n in names), sorted(names)
    plain = backend.choose_backend('gpu', None, npu_importer=lambda: None,
                                   gpu_counter=lambda: 1)
    graph, _ = build(cnn_model.TCNNConfig(**TINY), plain)
    with graph.as_default():
        assert not any('loss_scale' in v.op.name for v in tf.global_variables())
