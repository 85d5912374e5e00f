"""Measures how fast the project trains, evaluates and loads data.

One run, on the device backend.choose_backend picks (or --device), prints a
table and can write it as JSON:

    python benchmark.py                      # full size, about 2 minutes on 2 cores
    python benchmark.py --quick --json bench.json   # under a minute
    python benchmark.py --device cpu --vocab_file data/cnews/cnews.vocab.txt

What it measures, each as the median of --repeats timed windows:

- peak: the rate of a float32 4096 x 4096 matmul in the same kind of
  session, the practical ceiling for this model's GEMM-shaped work,
  measured in every round between the training windows;
- train: steps/s and samples/s of (1) the project's own step
  (run_cnn.Trainer.train_step), (2) a plain loop as the reference wrote it
  (feed_dict each step, the summary as a forward pass of its own every
  save_per_batch steps) on the same graph and session, and (3) that loop
  with the reference's graph and session choices (autodiff convolution
  gradients, TensorFlow's default threading); the achieved rate counts the
  reference's FLOPs per step, so where the project computes less (the
  CPU's argmax-routed pooling gradient) its share of peak can pass 100%;
- feed: the time of a session call that only feeds one batch, the most
  any input pipeline could save per step;
- eval: samples/s of run_cnn.evaluate, and what one validation pass over
  --eval_size articles adds to a print_per_batch-step interval;
- data: loading and encoding a cnews-sized corpus (generated here into a
  temporary folder) cold and from the cache of cnews_loader.process_file;
- memory: the process's peak resident size (ru_maxrss).
"""

import argparse
import collections
import copy
import json
import logging
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import types

import numpy as np

import cnews_loader as loader

LOG = logging.getLogger('benchmark')

# Characters of the synthetic vocabulary when no vocabulary file is given:
# CJK ideographs from U+4E00, the block cnews text mostly lives in.
_CJK_FIRST = 0x4E00


def train_flops_per_step(config):
    """Floating-point operations of one training step, counted analytically.

    Only the matrix products count (a multiply-add is 2 FLOPs); the
    embedding gather, bias, pooling, softmax and Adam are memory-bound and
    left out. With T = L - K + 1 convolution outputs per text:

        forward = 2 * B * (T * K * E * F + F * H + H * C)
        step    = 3 * forward

    The backward pass costs two products per forward one (the gradients of
    the input and of the weights). At the reference shape (B 64, L 600,
    K 5, E 64, F 256, H 128, C 10) a step is about 18.8 GFLOP.
    """
    c = config
    steps = c.seq_length - c.kernel_size + 1
    forward = 2 * c.batch_size * (steps * c.kernel_size * c.embedding_dim * c.num_filters
                                  + c.num_filters * c.hidden_dim
                                  + c.hidden_dim * c.num_classes)
    return 3 * forward


def _median_rate(fn, repeats, work):
    """Median of work / seconds over repeats calls of fn()."""
    rates = []
    for _ in range(repeats):
        begin = time.perf_counter()
        fn()
        rates.append(work / (time.perf_counter() - begin))
    return statistics.median(rates)


# ---------------------------------------------------------------- corpus

def synthetic_vocab(size):
    """<PAD> and size - 1 CJK characters."""
    return [loader.PAD] + [chr(_CJK_FIRST + i) for i in range(size - 1)]


def write_corpus(path, words, articles, mean_chars, seed=0, oov_share=0.03):
    """Writes a cnews-format file of random articles; returns its size in bytes.

    Characters are drawn from the vocabulary with a Zipf-like frequency by
    rank (vocabulary files list the frequent characters first), plus
    oov_share characters outside it; lengths are uniform in
    [mean_chars / 2, 3 * mean_chars / 2]; labels cycle through the cnews
    categories.
    """
    rng = np.random.RandomState(seed)
    chars = np.array([ord(w) for w in words if len(w) == 1], dtype=np.uint32)
    weights = 1.0 / (np.arange(len(chars)) + 10.0)
    lengths = rng.randint(mean_chars // 2, mean_chars * 3 // 2 + 1, articles)
    total = int(lengths.sum())
    points = chars[np.searchsorted(np.cumsum(weights / weights.sum()),
                                   rng.random_sample(total), side='right').clip(
                                       0, len(chars) - 1)]
    oov = rng.random_sample(total) < oov_share
    points[oov] = 0x3400 + rng.randint(0, 1000, int(oov.sum()))  # CJK ext. A
    text = points.astype('<u4').tobytes().decode('utf-32-le')
    ends = np.cumsum(lengths)
    cats = loader.CNEWS_CATEGORIES
    lines = ['%s\t%s\n' % (cats[i % len(cats)], text[e - n:e])
             for i, (e, n) in enumerate(zip(ends, lengths))]
    data = ''.join(lines).encode('utf-8')
    with open(path, 'wb') as f:
        f.write(data)
    return len(data)


def bench_load(path, word_to_id, cat_to_id, seq_length, cache_dir, repeats):
    """Seconds to load and encode path cold and from the cache (medians)."""
    cold, cached = [], []
    x_cold = x_cached = None
    for _ in range(repeats):
        shutil.rmtree(cache_dir, ignore_errors=True)
        begin = time.perf_counter()
        x_cold, y_cold, _ = loader.process_file(path, word_to_id, cat_to_id,
                                                seq_length, cache_dir=cache_dir)
        cold.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        x_cached, y_cached, _ = loader.process_file(path, word_to_id, cat_to_id,
                                                    seq_length, cache_dir=cache_dir)
        cached.append(time.perf_counter() - begin)
    same = bool(np.array_equal(x_cold, x_cached) and np.array_equal(y_cold, y_cached))
    return {'articles': len(x_cold), 'cold_s': statistics.median(cold),
            'cached_s': statistics.median(cached), 'cache_identical': same}


# ---------------------------------------------------------------- training

def _trainer_args(output_dir, eval_batch_size):
    """The attributes of run_cnn's flags that Trainer reads."""
    return types.SimpleNamespace(output_dir=output_dir, resume=False, warmup_steps=0,
                                 eval_batch_size=eval_batch_size, max_steps=0)


class _Setup(object):
    """A model in its own graph and session, ready for timed steps."""

    def __init__(self, chosen, session_config, config, words, workdir, eval_batch_size):
        import cnn_model
        import run_cnn
        from backend import tf
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.set_random_seed(0)
            self.model = cnn_model.TextCNN(config, chosen)
            init = tf.global_variables_initializer()
            self.sess = tf.Session(config=session_config)
            self.sess.run(init)
            self.trainer = run_cnn.Trainer(_trainer_args(workdir, eval_batch_size), config,
                                           chosen, self.model, self.sess, words,
                                           loader.CNEWS_CATEGORIES)
        self.trainer.loss_file = open(os.devnull, 'w')
        self.state = run_cnn.TrainState(seed=0)
        self.config = config

    def project_steps(self, batches, steps):
        """The project's step, run_cnn.Trainer.train_step."""
        for _ in range(steps):
            xb, yb = next(batches)
            self.trainer.train_step(self.state, xb, yb)
            self.state.step += 1

    def feed_loop(self, batches, steps):
        """The reference's loop: feed_dict each step, and every
        save_per_batch steps the summary as a forward pass of its own."""
        model, sess, config = self.model, self.sess, self.config
        for _ in range(steps):
            xb, yb = next(batches)
            feed = {model.input_x: xb, model.input_y: yb,
                    model.keep_prob: config.dropout_keep_prob}
            if self.state.step % config.save_per_batch == 0:
                self.trainer.writer.add_summary(
                    sess.run(self.trainer.summary, feed), self.state.step)
            sess.run(model.optim, feed)
            self.state.step += 1

    def close(self):
        self.trainer.writer.close()
        self.trainer.loss_file.close()
        self.sess.close()


def bench_train(chosen, config, words, x, y, x_val, y_val, opts, workdir):
    """Peak, training, feed and evaluation rates, interleaved window by window.

    Three ways of training are timed on the same batches: the project's
    step; the reference's plain feed loop on the project's graph and
    session (the loop alone differs); and the reference's loop with the
    reference's choices: autodiff convolution gradients and TensorFlow's
    default session threading (what the port changes in all). The matmul
    peak is measured in every round too, so that the share of peak compares
    windows that saw the same machine load.
    """
    import run_cnn
    from backend import tf
    ours = _Setup(chosen, chosen.session_config(), config, words, workdir,
                  opts.eval_batch_size)
    plain = copy.copy(chosen)
    plain.routed_pool_grad = False
    reference = _Setup(plain, tf.ConfigProto(allow_soft_placement=True), config, words,
                       workdir, opts.eval_batch_size)
    peak = _Matmul(chosen.session_config())
    batches = _endless_batches(x, y, config.batch_size, np.random.RandomState(0),
                               chosen.static_shapes)
    feed_ms = _feed_ms(ours, x[:config.batch_size], opts.repeats)

    def validation():
        run_cnn.evaluate(ours.sess, ours.model, x_val, y_val, ours.trainer.eval_batch,
                         chosen.static_shapes)

    timed = collections.OrderedDict([
        ('peak', (peak.run, peak.flops)),
        ('project', (lambda: ours.project_steps(batches, opts.steps), opts.steps)),
        ('feed_loop', (lambda: ours.feed_loop(batches, opts.steps), opts.steps)),
        ('reference', (lambda: reference.feed_loop(batches, opts.steps), opts.steps)),
        ('eval', (validation, len(x_val))),
    ])
    for fn, _ in timed.values():  # warm-up: first-run allocation and compilation
        fn()
    rates = {name: [] for name in timed}
    for _ in range(opts.repeats):  # interleaved, so that load noise hits all
        for name, (fn, work) in timed.items():
            rates[name].append(_median_rate(fn, 1, work))
    for setup in (ours, reference, peak):
        setup.close()
    out = {k: statistics.median(v) for k, v in rates.items()}
    out['peak'] /= 1e9
    out['feed_ms'] = feed_ms
    return out


class _Matmul(object):
    """A float32 n x n matmul in a session of the given config."""

    def __init__(self, session_config, n=4096):
        from backend import tf
        self.flops = 2.0 * n ** 3
        graph = tf.Graph()
        with graph.as_default():
            a = tf.Variable(tf.random_uniform([n, n]))
            b = tf.Variable(tf.random_uniform([n, n]))
            # Reduced on the device, so that the fetch copies one float.
            self.product = tf.reduce_sum(tf.matmul(a, b))
            self.sess = tf.Session(config=session_config)
            self.sess.run(tf.global_variables_initializer())

    def run(self):
        self.sess.run(self.product)

    def close(self):
        self.sess.close()


def _feed_ms(setup, xb, repeats, calls=20):
    """Milliseconds of a session call that only feeds one batch of ids.

    The most any input pipeline (tf.data, prefetching) could save per step.
    """
    from backend import tf
    with setup.graph.as_default():
        consume = tf.reduce_sum(setup.model.input_x)
    setup.sess.run(consume, {setup.model.input_x: xb})

    def feed():
        for _ in range(calls):
            setup.sess.run(consume, {setup.model.input_x: xb})

    return 1000.0 / _median_rate(feed, repeats, calls)


def _endless_batches(x, y, batch_size, rng, drop_remainder):
    while True:
        for batch in loader.batch_iter(x, y, batch_size, rng, drop_remainder):
            if len(batch[0]) == batch_size:
                yield batch


# ---------------------------------------------------------------- main

SIZES = {
    # articles, eval articles, steps per window, repeats, mean characters
    'full': dict(articles=65000, eval_size=5000, steps=20, repeats=5, chars=1000),
    'quick': dict(articles=3000, eval_size=300, steps=3, repeats=3, chars=1000),
}


def build_parser():
    p = argparse.ArgumentParser(
        description='Benchmarks TextCNN training, evaluation and data loading '
                    'on the chosen device; prints a table, optionally writes JSON.')
    p.add_argument('--device', default='auto', choices=('auto', 'npu', 'gpu', 'cpu'),
                   help='auto: NPU if npu_bridge imports, else GPU, else CPU')
    p.add_argument('--precision_mode', default=None,
                   choices=('allow_fp32_to_fp16', 'allow_mix_precision', 'force_fp32',
                            'must_keep_origin_dtype'),
                   help='as run_cnn.py: NPU precision, or allow_mix_precision '
                        'for GPU automatic mixed precision')
    p.add_argument('--quick', action='store_true',
                   help='a small corpus and few steps: finishes in under a minute')
    p.add_argument('--json', default=None, help='also write the results here')
    p.add_argument('--vocab_file', default=None,
                   help='vocabulary whose characters make up the corpus '
                        '(default: 5000 synthetic CJK characters)')
    p.add_argument('--batch_size', type=int, default=64, help='training batch')
    p.add_argument('--seq_length', type=int, default=600, help='characters per text')
    p.add_argument('--eval_batch_size', type=int, default=None,
                   help='evaluation batch (default: run_cnn.py\'s)')
    for name in ('articles', 'eval_size', 'steps', 'repeats'):
        p.add_argument('--' + name, type=int, default=None,
                       help='override the size preset (full: %d, quick: %d)'
                            % (SIZES['full'][name], SIZES['quick'][name]))
    return p


def parse_args(argv=None):
    import run_cnn
    parser = build_parser()
    args = parser.parse_args(argv)
    preset = SIZES['quick' if args.quick else 'full']
    for name, value in preset.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    if args.eval_batch_size is None:
        args.eval_batch_size = run_cnn.build_parser().get_default('eval_batch_size')
    for name in ('batch_size', 'seq_length', 'eval_batch_size', 'articles',
                 'eval_size', 'steps', 'repeats'):
        if getattr(args, name) < 1:
            parser.error('--%s is %d; it must be 1 or more' % (name, getattr(args, name)))
    if args.eval_size > args.articles:
        parser.error('--eval_size %d is more than --articles %d'
                     % (args.eval_size, args.articles))
    return args


def run(args):
    """Runs every measurement; returns the results as a dict."""
    import backend
    import cnn_model
    words = (loader.read_vocab(args.vocab_file)[0] if args.vocab_file
             else synthetic_vocab(5000))
    word_to_id = {w: i for i, w in enumerate(words)}
    _, cat_to_id = loader.read_category()
    chosen = backend.choose_backend(args.device, args.precision_mode)
    config = cnn_model.TCNNConfig(seq_length=args.seq_length, vocab_size=len(words),
                                  num_classes=len(cat_to_id),
                                  batch_size=args.batch_size).validate()
    workdir = tempfile.mkdtemp(prefix='textcnn-bench-')
    try:
        corpus = os.path.join(workdir, 'cnews.bench.txt')
        size = write_corpus(corpus, words, args.articles, args.chars)
        # A file changed this recently is always re-hashed; time a settled one.
        time.sleep(loader._STAT_TRUST_SECONDS)
        data = bench_load(corpus, word_to_id, cat_to_id, args.seq_length,
                          os.path.join(workdir, 'cache'), max(1, min(args.repeats, 3)))
        data['megabytes'] = size / 1e6
        x, y, _ = loader.process_file(corpus, word_to_id, cat_to_id, args.seq_length,
                                      cache_dir=os.path.join(workdir, 'cache'))
        x_val, y_val = x[:args.eval_size], y[:args.eval_size]
        rates = bench_train(chosen, config, words, x, y, x_val, y_val, args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    flops = train_flops_per_step(config)
    peak = rates['peak']
    step_ms = 1000.0 / rates['project']
    steps_per_interval = config.print_per_batch
    interval_s = steps_per_interval / rates['project']
    eval_s = args.eval_size / rates['eval']
    result = {
        'backend': chosen.name, 'precision_mode': chosen.precision_mode,
        'tensorflow': backend.tf.VERSION, 'python': sys.version.split()[0],
        'size': 'quick' if args.quick else 'full',
        'batch_size': config.batch_size, 'seq_length': config.seq_length,
        'steps_per_window': args.steps, 'repeats': args.repeats,
        'matmul_gflops': peak, 'flops_per_step': flops,
        'train_steps_per_sec': rates['project'],
        'train_samples_per_sec': rates['project'] * config.batch_size,
        'train_gflops': rates['project'] * flops / 1e9,
        'train_share_of_peak': rates['project'] * flops / 1e9 / peak,
        'feed_loop_steps_per_sec': rates['feed_loop'],
        'feed_loop_samples_per_sec': rates['feed_loop'] * config.batch_size,
        'train_over_feed_loop': rates['project'] / rates['feed_loop'],
        'feed_ms_per_step': rates['feed_ms'],
        'feed_share_of_step': rates['feed_ms'] / step_ms,
        'reference_steps_per_sec': rates['reference'],
        'reference_samples_per_sec': rates['reference'] * config.batch_size,
        'reference_share_of_peak': rates['reference'] * flops / 1e9 / peak,
        'train_over_reference': rates['project'] / rates['reference'],
        'eval_batch_size': args.eval_batch_size,
        'eval_samples_per_sec': rates['eval'],
        'eval_articles': args.eval_size,
        'validation_overhead': eval_s / interval_s,
        'data_articles': data['articles'], 'data_megabytes': data['megabytes'],
        'data_cold_s': data['cold_s'], 'data_cached_s': data['cached_s'],
        'data_cache_identical': data['cache_identical'],
        'peak_rss_mb': peak_rss_mb(),
    }
    return result


def peak_rss_mb():
    """The process's peak resident set size in MB (ru_maxrss is KB on Linux)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1e6 if sys.platform == 'darwin' else rss / 1e3


def format_table(r):
    """The results as a two-column text table."""
    rows = [
        ('backend', '%s (%s), TF %s, Python %s' % (r['backend'], r['precision_mode'],
                                                   r['tensorflow'], r['python'])),
        ('shape', 'batch %d x seq %d, %s size, median of %d windows of %d steps'
         % (r['batch_size'], r['seq_length'], r['size'], r['repeats'],
            r['steps_per_window'])),
        ('matmul 4096 peak', '%.1f GFLOP/s' % r['matmul_gflops']),
        ('model FLOPs/step', '%.2f GFLOP' % (r['flops_per_step'] / 1e9)),
        ('train (project step)', '%.2f steps/s, %.1f samples/s, %.1f GFLOP/s = %.0f%% '
         'of peak' % (r['train_steps_per_sec'], r['train_samples_per_sec'],
                      r['train_gflops'], 100 * r['train_share_of_peak'])),
        ('train (feed loop)', '%.2f steps/s, %.1f samples/s; project is %.2fx; '
         'feeding a batch takes %.2f ms, %.1f%% of a step'
         % (r['feed_loop_steps_per_sec'], r['feed_loop_samples_per_sec'],
            r['train_over_feed_loop'], r['feed_ms_per_step'],
            100 * r['feed_share_of_step'])),
        ('train (reference-style)', '%.2f steps/s, %.1f samples/s = %.0f%% of peak; '
         'project is %.2fx' % (r['reference_steps_per_sec'],
                               r['reference_samples_per_sec'],
                               100 * r['reference_share_of_peak'],
                               r['train_over_reference'])),
        ('evaluate', '%.1f samples/s (batch %d); %d articles add %.1f%% to a '
         '100-step interval' % (r['eval_samples_per_sec'], r['eval_batch_size'],
                                r['eval_articles'], 100 * r['validation_overhead'])),
        ('load+encode', '%d articles (%.0f MB): %.2f s cold, %.2f s cached%s'
         % (r['data_articles'], r['data_megabytes'], r['data_cold_s'],
            r['data_cached_s'], '' if r['data_cache_identical'] else
            ' (CACHE MISMATCH)')),
        ('peak memory', '%.0f MB' % r['peak_rss_mb']),
    ]
    width = max(len(k) for k, _ in rows)
    lines = ['| %s | %s |' % ('measure'.ljust(width), 'result'),
             '|%s|---|' % ('-' * (width + 2))]
    lines += ['| %s | %s |' % (k.ljust(width), v) for k, v in rows]
    return '\n'.join(lines)


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format='%(message)s')
    args = parse_args(argv)
    result = run(args)
    print(format_table(result))
    if args.json:
        loader.atomic_write(args.json, json.dumps(result, indent=1).encode('utf-8'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
