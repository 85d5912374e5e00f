"""Trains, tests and applies a character-level TextCNN to Chinese news.

The same script runs on an Ascend NPU (through npu_bridge), a GPU or the
CPU; the device is chosen by backend.choose_backend and logged at start.

    python run_cnn.py train --data_path data/cnews      # the reference run
    python run_cnn.py test --data_path data/cnews       # best checkpoint
    python run_cnn.py predict "新浪体育讯 ..."            # or --input_file F, or stdin
    python run_cnn.py train --data_path demo --num_epochs 3   # bundled demo corpus
    python run_cnn.py train --device cpu --max_steps 200
    python run_cnn.py train --resume                    # after an interruption
    python run_cnn.py freeze                            # textcnn.pb for Ascend atc

Exit status: 0 done, 2 bad input or settings, 3 the loss became NaN or
infinite, 128+N stopped by signal N after saving a checkpoint.
"""

import argparse
import json
import logging
import math
import os
import signal
import sys
import time
import types
from datetime import timedelta

import numpy as np

import cnews_loader as loader

LOG = logging.getLogger('textcnn')

# The reference's progress line; run_npu_1p_*.sh and compare tools parse it.
ITER_FORMAT = ('Iter: {0:>6}, Train Loss: {1:>6.2}, Train Acc: {2:>7.2%},'
               ' Val Loss: {3:>6.2}, Val Acc: {4:>7.2%}, Time: {5} {6}')
TEST_FORMAT = 'Test Loss: {0:>6.2}, Test Acc: {1:>7.2%}'
EARLY_STOP_LINE = 'No optimization for a long time, auto-stopping...'

DATA_HELP = ('The cnews split (cnews.train.txt, cnews.val.txt, cnews.test.txt, '
             'cnews.vocab.txt) is the THUCNews subset published with '
             'gaussic/text-classification-cnn-rnn; put it in --data_path. '
             'To try the code without it: --data_path demo')

EXIT_BAD_INPUT = 2
EXIT_NUMERIC = 3


class CheckpointError(ValueError):
    """A checkpoint is missing or does not fit the current settings."""


class NumericError(RuntimeError):
    """The loss became NaN or infinite."""


# ---------------------------------------------------------------- flags

def build_parser():
    p = argparse.ArgumentParser(
        description='Character-level TextCNN for cnews-format Chinese news '
                    'classification on an Ascend NPU, a GPU or the CPU.',
        epilog='Exit status: 0 done, 2 bad input, 3 NaN/inf loss, 128+N '
               'stopped by signal N (a checkpoint was saved; use --resume).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('mode', choices=('train', 'test', 'predict', 'freeze'),
                   help='train: fit and keep the best checkpoint by validation '
                        'accuracy; test: score that checkpoint on the test file; '
                        'predict: classify texts; freeze: write that checkpoint '
                        'as a frozen GraphDef, OUTPUT_DIR/textcnn.pb, for offline '
                        'inference (Ascend atc, TensorFlow)')
    p.add_argument('texts', nargs='*',
                   help='predict only: texts to classify (else --input_file, '
                        'else standard input, one text a line)')
    d = p.add_argument_group('data')
    d.add_argument('--data_path', default='data/cnews',
                   help='folder with cnews.train.txt, cnews.val.txt, '
                        'cnews.test.txt and, if present, cnews.vocab.txt')
    d.add_argument('--vocab_file', default=None,
                   help='vocabulary to use or create (default: '
                        'DATA_PATH/cnews.vocab.txt, built from the training '
                        'file when missing)')
    d.add_argument('--categories_file', default=None,
                   help='file with one label a line, in id order (e.g. '
                        'THUCNews titles\' class.txt); default: the ten cnews '
                        'categories in the reference order')
    d.add_argument('--strict', action='store_true',
                   help='stop at the first malformed data line instead of '
                        'skipping and counting it')
    d.add_argument('--cache_dir', default=_default_cache_dir(),
                   help='cache for encoded data files, keyed by their content, '
                        'the vocabulary and seq_length; "" disables it')
    d.add_argument('--input_file', default=None,
                   help='predict only: classify each line of this file')
    m = p.add_argument_group('model and training')
    m.add_argument('--seq_length', type=int, default=None,
                   help='characters kept per text, from the end (train: 600; '
                        'test/predict: the checkpoint\'s)')
    m.add_argument('--vocab_size', type=int, default=5000,
                   help='size of a vocabulary built from the training file')
    m.add_argument('--batch_size', type=int, default=64, help='training batch')
    m.add_argument('--eval_batch_size', type=int, default=128,
                   help='batch for validation, test and predict (on the NPU '
                        'the training batch, so that shapes stay static)')
    m.add_argument('--num_epochs', type=int, default=10, help='epoch limit')
    m.add_argument('--max_steps', type=int, default=0,
                   help='stop after this many training steps in all; 0: no limit')
    m.add_argument('--learning_rate', type=float, default=1e-3, help='Adam rate')
    m.add_argument('--print_per_batch', type=int, default=100,
                   help='steps between validation runs and Iter lines')
    m.add_argument('--save_per_batch', type=int, default=10,
                   help='steps between TensorBoard summaries')
    m.add_argument('--require_improvement', type=int, default=1000,
                   help='stop early after this many steps without a better '
                        'validation accuracy')
    m.add_argument('--seed', type=int, default=None,
                   help='seed for initialisation, dropout and shuffling '
                        '(default: a random one, logged)')
    m.add_argument('--warmup_steps', type=int, default=5,
                   help='first steps left out of the throughput figures '
                        '(graph compilation on the NPU)')
    r = p.add_argument_group('device')
    r.add_argument('--device', default='auto', choices=('auto', 'npu', 'gpu', 'cpu'),
                   help='auto: NPU if npu_bridge imports, else GPU, else CPU')
    r.add_argument('--precision_mode', default=None,
                   choices=('allow_fp32_to_fp16', 'allow_mix_precision',
                            'force_fp32', 'must_keep_origin_dtype'),
                   help='NPU precision mode (NPU default allow_fp32_to_fp16); '
                        'on a GPU allow_mix_precision turns on automatic mixed '
                        'precision')
    r.add_argument('--iterations_per_loop', type=int, default=1,
                   help='NPU: training steps per session call, run on the device '
                        'from a tf.data pipeline of the same batches; '
                        '--print_per_batch and --max_steps must be multiples of '
                        'it; losses.tsv and TensorBoard get the last loss of '
                        'each call')
    r.add_argument('--npu_no_loss_scale', action='store_true',
                   help='NPU: no dynamic loss scaling under allow_mix_precision')
    o = p.add_argument_group('output')
    o.add_argument('--output_dir', default='output',
                   help='checkpoints, TensorBoard events, logs, per-step losses '
                        'and metrics go here')
    o.add_argument('--checkpoint', default=None,
                   help='test/predict: a checkpoint prefix or folder (default: '
                        'OUTPUT_DIR/checkpoints/best); a reference-code '
                        'checkpoint works too')
    o.add_argument('--resume', action='store_true',
                   help='train: continue from OUTPUT_DIR/checkpoints/latest with '
                        'its step, best accuracy and early-stop counter')
    return p


def _default_cache_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(
        os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'textcnn-npu')


def parse_args(argv=None):
    """Parses and checks flags; a bad value exits 2 with argparse's message."""
    parser = build_parser()
    # Intermixed, so that predict's texts may follow the options.
    args = parser.parse_intermixed_args(argv)
    positive = ['batch_size', 'eval_batch_size', 'num_epochs', 'print_per_batch',
                'save_per_batch', 'require_improvement', 'vocab_size']
    for name in positive:
        if getattr(args, name) < 1:
            parser.error('--%s is %d; it must be 1 or more' % (name, getattr(args, name)))
    if args.seq_length is not None and args.seq_length < 1:
        parser.error('--seq_length is %d; it must be 1 or more' % args.seq_length)
    if args.max_steps < 0 or args.warmup_steps < 0:
        parser.error('--max_steps and --warmup_steps must be 0 or more')
    if args.iterations_per_loop < 1:
        parser.error('--iterations_per_loop is %d; it must be 1 or more'
                     % args.iterations_per_loop)
    for name in ('print_per_batch', 'max_steps'):
        if getattr(args, name) % args.iterations_per_loop:
            parser.error('--%s %d is not a multiple of --iterations_per_loop %d'
                         % (name, getattr(args, name), args.iterations_per_loop))
    if args.texts and args.mode != 'predict':
        parser.error('texts to classify are for predict; got %r with %s'
                     % (args.texts[0], args.mode))
    if args.resume and args.mode != 'train':
        parser.error('--resume is for train')
    return args


# ---------------------------------------------------------------- set-up

def setup_logging(log_path=None, stream=None, append=True):
    """INFO to stream (stdout) and to log_path; warnings carry their level."""
    class Fmt(logging.Formatter):
        def format(self, record):
            msg = record.getMessage()
            return msg if record.levelno < logging.WARNING else (
                '%s: %s' % (record.levelname, msg))

    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handlers = [logging.StreamHandler(stream or sys.stdout)]
    if log_path:
        os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode='a' if append else 'w',
                                            encoding='utf-8'))
    for h in handlers:
        h.setFormatter(Fmt())
        root.addHandler(h)
    root.setLevel(logging.INFO)


def elapsed(start):
    """Whole seconds since start, as the reference prints them (0:01:23)."""
    return timedelta(seconds=int(round(time.time() - start)))


def data_file(args, split):
    return os.path.join(args.data_path, 'cnews.%s.txt' % split)


def require_data(path):
    if not os.path.isfile(path):
        raise loader.DataError('data file not found: %s. %s' % (path, DATA_HELP))


def load_or_build_vocab(args, cat_to_id):
    """The training vocabulary: read it, or build it from the training file."""
    path = args.vocab_file or os.path.join(args.data_path, 'cnews.vocab.txt')
    if os.path.exists(path):
        return loader.read_vocab(path)
    train = data_file(args, 'train')
    require_data(train)
    LOG.info('Building vocabulary of %d from %s into %s', args.vocab_size, train, path)
    try:
        loader.build_vocab(train, path, args.vocab_size, cat_to_id, args.strict)
    except OSError as e:
        fallback = os.path.join(args.output_dir, 'cnews.vocab.txt')
        LOG.warning('cannot write %s (%s); writing %s instead', path, e, fallback)
        loader.build_vocab(train, fallback, args.vocab_size, cat_to_id, args.strict)
        path = fallback
    return loader.read_vocab(path)


def load_split(args, split, word_to_id, cat_to_id, seq_length):
    """Encoded (x, y) of one split; skipped lines are reported once."""
    path = data_file(args, split)
    require_data(path)
    x, y, report = loader.process_file(path, word_to_id, cat_to_id, seq_length,
                                       args.strict, args.cache_dir or None)
    if report.total:
        LOG.warning('%s', report.describe())
    return x, y


# ---------------------------------------------------------------- checkpoints

def write_meta(folder, words, categories, config):
    """Stores what shapes the graph beside a checkpoint, and the vocabulary."""
    os.makedirs(folder, exist_ok=True)
    meta = {'vocab_size': len(words), 'vocab_sha256': loader.vocab_digest(words),
            'seq_length': config.seq_length, 'categories': list(categories),
            'config': config.as_dict()}
    loader.atomic_write(os.path.join(folder, 'meta.json'),
                        json.dumps(meta, ensure_ascii=False, indent=1).encode('utf-8'))
    loader.atomic_write(os.path.join(folder, 'vocab.txt'),
                        ('\n'.join(words) + '\n').encode('utf-8'))


def read_meta(folder):
    path = os.path.join(folder, 'meta.json')
    if not os.path.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def resolve_checkpoint(path):
    """A checkpoint prefix from a prefix or a folder; CheckpointError if none."""
    if os.path.isdir(path):
        import backend
        prefix = backend.tf.train.latest_checkpoint(path)
        if prefix is None or not os.path.exists(prefix + '.index'):
            raise CheckpointError(
                'no checkpoint in %s; train first (python run_cnn.py train '
                '--output_dir ...) or pass --checkpoint' % path)
        return prefix
    if os.path.exists(path + '.index'):
        return path
    raise CheckpointError('checkpoint not found: %s (expected %s.index, or a '
                          'folder holding a "checkpoint" file); train first or '
                          'pass --checkpoint' % (path, path))


def check_meta(meta, prefix, words, categories, seq_length):
    """Refuses a checkpoint trained with another vocabulary, length or labels."""
    if meta is None:
        LOG.warning('no meta.json beside %s (a reference-code checkpoint?): the '
                    'vocabulary and seq_length cannot be checked', prefix)
        return
    if meta['vocab_sha256'] != loader.vocab_digest(words):
        raise CheckpointError(
            'checkpoint %s was trained with another vocabulary (%d entries, '
            'sha256 %s...) than the one given (%d entries, %s...); use the '
            'vocab.txt saved beside the checkpoint' % (
                prefix, meta['vocab_size'], meta['vocab_sha256'][:12], len(words),
                loader.vocab_digest(words)[:12]))
    if meta['seq_length'] != seq_length:
        raise CheckpointError(
            'checkpoint %s was trained with seq_length %d, not %d; drop '
            '--seq_length or pass %d' % (prefix, meta['seq_length'], seq_length,
                                         meta['seq_length']))
    if list(meta['categories']) != list(categories):
        raise CheckpointError(
            'checkpoint %s was trained with the categories %s, not %s; pass the '
            'same --categories_file' % (prefix, ' '.join(meta['categories']),
                                        ' '.join(categories)))


def restore_weights(sess, variables, prefix):
    """Restores variables from prefix after checking names and shapes."""
    from backend import tf
    shapes = tf.train.NewCheckpointReader(prefix).get_variable_to_shape_map()
    for v in variables:
        name = v.op.name
        if name not in shapes:
            raise CheckpointError('checkpoint %s has no variable %s; it is not a '
                                  'TextCNN checkpoint' % (prefix, name))
        if list(shapes[name]) != v.shape.as_list():
            raise CheckpointError(
                'checkpoint %s holds %s of shape %s, but the model here needs %s; '
                'it was trained with other settings (vocabulary size, '
                'categories or layer sizes)' % (prefix, name, shapes[name],
                                                 v.shape.as_list()))
    tf.train.Saver(var_list=variables).restore(sess, prefix)


# ---------------------------------------------------------------- evaluation

def _batches_for_eval(x, batch_size, static_shapes):
    """(start, rows, x_batch) with the last batch zero-padded when static."""
    for start in range(0, len(x), batch_size):
        xb = x[start:start + batch_size]
        rows = len(xb)
        if static_shapes and rows < batch_size:
            pad = np.zeros((batch_size - rows,) + xb.shape[1:], dtype=xb.dtype)
            xb = np.concatenate([xb, pad])
        yield start, rows, xb


def evaluate(sess, model, x, y, batch_size, static_shapes=False, predictions=None):
    """Mean loss and accuracy over all of x, y (no example counted twice).

    predictions: an int64 array of len(x) to fill with the predicted classes
        in the same pass, or None.
    """
    total_loss, total_correct = 0.0, 0
    fetches = [model.per_example_loss, model.correct, model.y_pred_cls]
    for start, rows, xb in _batches_for_eval(x, batch_size, static_shapes):
        yb = y[start:start + rows]
        if len(yb) < len(xb):
            yb = np.concatenate([yb, np.zeros((len(xb) - rows, y.shape[1]), y.dtype)])
        losses, correct, classes = sess.run(fetches, {model.input_x: xb, model.input_y: yb})
        total_loss += float(np.sum(losses[:rows], dtype=np.float64))
        total_correct += int(np.sum(correct[:rows]))
        if predictions is not None:
            predictions[start:start + rows] = classes[:rows]
    return total_loss / len(x), total_correct / float(len(x))


def predict_classes(sess, model, x, batch_size, static_shapes=False):
    """Predicted class ids, int64 [len(x)]."""
    out = np.zeros(len(x), dtype=np.int64)
    for start, rows, xb in _batches_for_eval(x, batch_size, static_shapes):
        out[start:start + rows] = sess.run(model.y_pred_cls, {model.input_x: xb})[:rows]
    return out


# ---------------------------------------------------------------- training

class DeviceBatches(object):
    """The training batches as a tf.data pipeline, for device-side loops.

    They come in the order loader.batch_iter gives the feed path: one
    permutation of RandomState(seed) per epoch, last partial batch dropped,
    so a run reads the same batches fed or from the device, and a resumed
    run starts at its own step.
    """

    def __init__(self, tf, seq_length, num_classes, batch_size):
        self.batch_size = batch_size
        self.x = tf.placeholder(tf.int32, [None, seq_length])
        self.y = tf.placeholder(tf.float32, [None, num_classes])
        self.order = tf.placeholder(tf.int64, [None])
        data = tf.data.Dataset.from_tensor_slices(self.order)
        data = data.batch(batch_size, drop_remainder=True)
        data = data.map(lambda rows: (tf.gather(self.x, rows), tf.gather(self.y, rows)))
        self.iterator = tf.data.make_initializable_iterator(data.prefetch(2))
        self.next = self.iterator.get_next()

    def order_from(self, seed, rows, num_epochs, start_step):
        """Example indices of every batch from start_step to the epoch limit."""
        rng = np.random.RandomState(seed)
        per_epoch = rows // self.batch_size * self.batch_size
        order = np.concatenate([rng.permutation(rows)[:per_epoch]
                                for _ in range(num_epochs)])
        return order[start_step * self.batch_size:]

    def start(self, sess, x, y, seed, num_epochs, start_step):
        sess.run(self.iterator.initializer, {
            self.x: x, self.y: y,
            self.order: self.order_from(seed, len(x), num_epochs, start_step)})


class TrainState(object):
    """What --resume needs beyond the weights; saved as JSON beside them."""

    def __init__(self, seed, step=0, best_acc_val=0.0, last_improved=0):
        self.seed = seed
        self.step = step
        self.best_acc_val = best_acc_val
        self.last_improved = last_improved

    def save(self, folder, checkpoint):
        data = dict(vars(self), checkpoint=os.path.basename(checkpoint))
        loader.atomic_write(os.path.join(folder, 'train_state.json'),
                            json.dumps(data, indent=1).encode('utf-8'))

    @classmethod
    def load(cls, folder):
        path = os.path.join(folder, 'train_state.json')
        if not os.path.isfile(path):
            raise CheckpointError('--resume: nothing to resume in %s (no '
                                  'train_state.json); start without --resume' % folder)
        with open(path) as f:
            data = json.load(f)
        prefix = os.path.join(folder, data.pop('checkpoint'))
        return cls(**data), prefix


class Trainer(object):
    """Runs the training loop of the reference with throughput timing.

    Every print_per_batch steps (step 0 included) it scores the current
    batch and the whole validation set, keeps the best checkpoint and logs
    the Iter line; it stops after require_improvement steps without a
    better validation accuracy, at max_steps, at the epoch limit, or on
    SIGINT/SIGTERM after saving a checkpoint to resume from.
    """

    def __init__(self, args, config, backend, model, sess, words, categories,
                 device_batches=None):
        import backend as backend_module
        tf = backend_module.tf
        self.device_batches = device_batches
        self.per_call = backend.steps_per_call
        self.train_op = model.optim
        self.tf = tf
        self.args, self.config, self.backend = args, config, backend
        self.model, self.sess = model, sess
        self.ckpt_dir = os.path.join(args.output_dir, 'checkpoints')
        self.best_dir = os.path.join(self.ckpt_dir, 'best')
        self.latest_dir = os.path.join(self.ckpt_dir, 'latest')
        for folder in (self.best_dir, self.latest_dir):
            write_meta(folder, words, categories, config)
        # Best: weights and Adam slots, the reference's variable set.
        self.best_saver = tf.train.Saver(max_to_keep=1)
        # Latest keeps two, so the one named in train_state.json survives
        # a crash during the next save.
        self.latest_saver = tf.train.Saver(max_to_keep=2)
        tf.summary.scalar('loss', model.loss)
        tf.summary.scalar('accuracy', model.acc)
        self.summary = tf.summary.merge_all()
        self.writer = tf.summary.FileWriter(os.path.join(args.output_dir, 'tensorboard'))
        self.loss_file = None
        self._steps_this_run = 0  # steps since start or resume, for warm-up
        self.eval_batch = (config.batch_size if backend.static_shapes
                           else args.eval_batch_size)
        self.signal = None
        self.timed_seconds = 0.0
        self.timed_steps = 0
        self.last_loss = float('nan')
        self.saved_step = None

    # -- signals

    def _on_signal(self, signum, frame):
        self.signal = signum

    def _install_signals(self):
        return {s: signal.signal(s, self._on_signal)
                for s in (signal.SIGINT, signal.SIGTERM)}

    # -- state

    def start_state(self, seed):
        if not self.args.resume:
            return TrainState(seed)
        state, prefix = TrainState.load(self.latest_dir)
        self.latest_saver.restore(self.sess, prefix)
        self.saved_step = state.step
        LOG.info('Resumed from %s at step %d (best val acc %.2f%%, last '
                 'improved at %d)', prefix, state.step, 100 * state.best_acc_val,
                 state.last_improved)
        return state

    def save_latest(self, state):
        prefix = self.latest_saver.save(
            self.sess, os.path.join(self.latest_dir, 'model'), global_step=state.step,
            write_meta_graph=False)
        state.save(self.latest_dir, prefix)
        self.saved_step = state.step
        return prefix

    def _open_loss_file(self, state):
        """Per-step losses; a resumed run drops lines from after its step."""
        path = os.path.join(self.args.output_dir, 'losses.tsv')
        kept = []
        if self.args.resume and os.path.exists(path):
            with open(path) as f:
                # A killed run may have left its last line half written.
                kept = [l for l in f if l.endswith('\n') and l.count('\t') == 1
                        and not l.startswith('step')
                        and int(l.split('\t')[0]) < state.step]
        self.loss_file = open(path, 'w')
        self.loss_file.write('step\tloss\n')
        self.loss_file.writelines(kept)

    # -- one step, one report

    def train_step(self, state, xb, yb):
        """per_call optimizer steps from state.step on; returns the loss of
        the last one, before its update.

        One step feeds xb, yb; a device loop reads its batches from
        device_batches, in the same order, and xb, yb are not used.
        """
        feed = {self.model.keep_prob: self.config.dropout_keep_prob}
        if self.per_call == 1:
            feed.update({self.model.input_x: xb, self.model.input_y: yb})
        fetches = [self.model.loss, self.train_op]
        # A summary when a multiple of save_per_batch falls in this call.
        with_summary = (-state.step) % self.config.save_per_batch < self.per_call
        if with_summary:
            fetches.append(self.summary)
        begin = time.perf_counter()
        out = self.sess.run(fetches, feed)
        seconds = time.perf_counter() - begin
        if self._steps_this_run >= self.args.warmup_steps:
            self.timed_seconds += seconds
            self.timed_steps += self.per_call
        self._steps_this_run += self.per_call
        last = state.step + self.per_call - 1  # the step the loss belongs to
        if with_summary:
            self.writer.add_summary(out[2], last)
        loss = float(out[0])
        if not math.isfinite(loss):
            raise NumericError(
                'the training loss became %s at step %d; the last checkpoint (step '
                '%s) is in %s. Try a lower --learning_rate, or on the NPU '
                '--precision_mode force_fp32' % (loss, last, self.saved_step,
                                                  self.latest_dir))
        self.loss_file.write('%d\t%.6f\n' % (last, loss))
        self.last_loss = loss
        return loss

    def report(self, state, xb, yb, x_val, y_val):
        """Scores the batch and the validation set, saves the best, logs Iter."""
        loss_train, acc_train = self.sess.run(
            [self.model.loss, self.model.acc],
            {self.model.input_x: xb, self.model.input_y: yb})
        loss_val, acc_val = evaluate(self.sess, self.model, x_val, y_val,
                                     self.eval_batch, self.backend.static_shapes)
        mark = ''
        if acc_val > state.best_acc_val:
            state.best_acc_val, state.last_improved = acc_val, state.step
            self.best_saver.save(self.sess, os.path.join(self.best_dir, 'best_validation'),
                                 global_step=state.step, write_meta_graph=False)
            mark = '*'
        LOG.info(ITER_FORMAT.format(state.step, loss_train, acc_train, loss_val,
                                    acc_val, elapsed(self.start_time), mark))
        # Losses first: a kill between the two leaves no gap on --resume.
        self.loss_file.flush()
        self.save_latest(state)

    # -- the loop

    def run(self, seed, x_train, y_train, x_val, y_val):
        cfg, args = self.config, self.args
        state = self.start_state(seed)
        self._open_loss_file(state)
        rng = np.random.RandomState(state.seed)
        per_epoch = len(x_train) // cfg.batch_size if self.backend.static_shapes else (
            -(-len(x_train) // cfg.batch_size))
        if per_epoch == 0:
            raise ValueError('%d training examples make no full batch of %d; lower '
                             '--batch_size' % (len(x_train), cfg.batch_size))
        LOG.info('Seed %d; %d steps per epoch, at most %d epochs%s', state.seed,
                 per_epoch, cfg.num_epochs,
                 ', %d steps' % args.max_steps if args.max_steps else '')
        LOG.info('Training and evaluating...')
        if self.device_batches is not None:
            self.device_batches.start(self.sess, x_train, y_train, state.seed,
                                      cfg.num_epochs, state.step)
            self.train_op = self.backend.loop_train_op(self.sess, self.model.optim)
        self.start_time = time.time()
        previous = self._install_signals()
        stopped = 'epochs'
        try:
            stopped = self._loop(state, rng, per_epoch, x_train, y_train, x_val, y_val)
            if self.signal is None:
                self.save_latest(state)  # so that --resume can go further
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            self.writer.close()
            self.loss_file.close()
        return state, stopped

    def _reached_max_steps(self, state):
        if self.args.max_steps and state.step >= self.args.max_steps:
            LOG.info('Reached --max_steps %d.', self.args.max_steps)
            return True
        return False

    def _loop(self, state, rng, per_epoch, x_train, y_train, x_val, y_val):
        cfg = self.config
        if self._reached_max_steps(state):  # a resumed run that was done
            return 'max_steps'
        first_epoch, skip = divmod(state.step, per_epoch)
        for _ in range(first_epoch):
            rng.permutation(len(x_train))  # replay the shuffles already used
        for epoch in range(first_epoch, cfg.num_epochs):
            LOG.info('Epoch: %d', epoch + 1)
            batches = loader.batch_iter(x_train, y_train, cfg.batch_size, rng,
                                        drop_remainder=self.backend.static_shapes)
            for i, (xb, yb) in enumerate(batches):
                if i < skip:
                    continue
                if state.step % cfg.print_per_batch == 0:
                    self.report(state, xb, yb, x_val, y_val)
                if state.step % self.per_call == 0:
                    if state.step + self.per_call > per_epoch * cfg.num_epochs:
                        LOG.info('The last %d steps do not fill a device loop of %d.',
                                 per_epoch * cfg.num_epochs - state.step, self.per_call)
                        return 'epochs'
                    self.train_step(state, xb, yb)
                state.step += 1
                if state.step % self.per_call:
                    continue  # inside a device loop: its batches are trained
                if self.signal is not None:
                    return self._interrupted(state)
                if state.step - state.last_improved > cfg.require_improvement:
                    LOG.info(EARLY_STOP_LINE)
                    return 'early_stop'
                if self._reached_max_steps(state):
                    return 'max_steps'
            skip = 0
        return 'epochs'

    def _interrupted(self, state):
        name = signal.Signals(self.signal).name
        prefix = self.save_latest(state)
        LOG.warning('%s at step %d: saved %s; continue with --resume',
                    name, state.step, prefix)
        return name


def throughput(trainer, batch_size):
    """ms per step and samples/s over the timed steps (warm-up left out)."""
    if not trainer.timed_steps:
        return None, None
    ms = 1000.0 * trainer.timed_seconds / trainer.timed_steps
    return ms, batch_size * 1000.0 / ms


def write_json(path, obj):
    loader.atomic_write(path, json.dumps(obj, indent=1, ensure_ascii=False).encode('utf-8'))


# ---------------------------------------------------------------- modes

def make_backend(args):
    import backend
    chosen = backend.choose_backend(args.device, args.precision_mode,
                                    npu_loss_scale=not args.npu_no_loss_scale,
                                    iterations_per_loop=args.iterations_per_loop)
    LOG.info('Backend: %s (%s); precision %s; TensorFlow %s', chosen.name,
             chosen.reason, chosen.precision_mode, backend.tf.VERSION)
    return chosen


def make_config(args, vocab_size, num_classes, seq_length):
    import cnn_model
    return cnn_model.TCNNConfig(
        seq_length=seq_length, num_classes=num_classes, vocab_size=vocab_size,
        batch_size=args.batch_size, num_epochs=args.num_epochs,
        learning_rate=args.learning_rate, print_per_batch=args.print_per_batch,
        save_per_batch=args.save_per_batch,
        require_improvement=args.require_improvement).validate()


def train(args):
    e2e_start = time.time()
    categories, cat_to_id = loader.read_category(args.categories_file)
    for split in ('train', 'val'):
        require_data(data_file(args, split))
    words, word_to_id = load_or_build_vocab(args, cat_to_id)
    seq_length = args.seq_length or 600
    earlier = os.path.join(args.output_dir, 'checkpoints', 'latest', 'train_state.json')
    if not args.resume and os.path.exists(earlier):
        LOG.warning('%s already holds a run; this new run replaces its checkpoints '
                    '(continue that run with --resume, or pick another --output_dir)',
                    args.output_dir)
    LOG.info('Loading training and validation data...')
    start = time.time()
    x_train, y_train = load_split(args, 'train', word_to_id, cat_to_id, seq_length)
    x_val, y_val = load_split(args, 'val', word_to_id, cat_to_id, seq_length)
    LOG.info('Time usage: %s', elapsed(start))
    config = make_config(args, len(words), len(categories), seq_length)
    chosen = make_backend(args)
    LOG.info('Train %d, val %d examples; %d categories; vocabulary %d; '
             'seq_length %d; batch %d', len(x_train), len(x_val), len(categories),
             len(words), seq_length, config.batch_size)

    seed = resolve_seed(args)
    import cnn_model
    from backend import tf
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        device_batches = None
        if chosen.steps_per_call > 1:
            device_batches = DeviceBatches(tf, seq_length, len(categories),
                                           config.batch_size)
        model = cnn_model.TextCNN(config, chosen,
                                  device_batches.next if device_batches else None)
        init = tf.global_variables_initializer()
        with tf.Session(config=chosen.session_config()) as sess:
            sess.run(init)
            trainer = Trainer(args, config, chosen, model, sess, words, categories,
                              device_batches)
            trainer.writer.add_graph(graph)
            state, stopped = trainer.run(seed, x_train, y_train, x_val, y_val)
    ms, fps = throughput(trainer, config.batch_size)
    metrics = {
        'backend': chosen.name, 'precision_mode': chosen.precision_mode,
        'batch_size': config.batch_size, 'steps': state.step,
        'timed_steps': trainer.timed_steps, 'warmup_steps': args.warmup_steps,
        'ms_per_step': ms, 'samples_per_sec': fps, 'final_loss': trainer.last_loss,
        'best_val_acc': state.best_acc_val, 'stopped': stopped,
        'e2e_seconds': time.time() - e2e_start}
    write_json(os.path.join(args.output_dir, 'train_metrics.json'), metrics)
    if ms is not None:
        LOG.info('Throughput: %.1f samples/s, %.2f ms/step over %d timed steps '
                 '(first %d steps of this run not timed)', fps, ms,
                 trainer.timed_steps, args.warmup_steps)
    LOG.info('Best val acc %.2f%% at step %d; checkpoints in %s', 100 * state.best_acc_val,
             state.last_improved, trainer.ckpt_dir)
    if stopped.startswith('SIG'):
        return 128 + int(getattr(signal, stopped))
    return 0


def resolve_seed(args):
    """--seed, the resumed run's seed, or a fresh random one."""
    if args.resume:
        state, _ = TrainState.load(os.path.join(args.output_dir, 'checkpoints', 'latest'))
        if args.seed is not None and args.seed != state.seed:
            LOG.warning('--resume keeps the run\'s seed %d, not --seed %d',
                        state.seed, args.seed)
        return state.seed
    if args.seed is not None:
        return args.seed
    return int(np.random.randint(0, 2 ** 31 - 1))


def _inference_vocab(args, prefix, need_data):
    """--vocab_file; else the data's vocabulary (test) or the copy saved
    beside the checkpoint (predict), whichever exists, in that order."""
    if args.vocab_file:
        return args.vocab_file  # missing: an error, never a silent fallback
    data_vocab = os.path.join(args.data_path, 'cnews.vocab.txt')
    saved = os.path.join(os.path.dirname(prefix), 'vocab.txt')
    candidates = [data_vocab, saved] if need_data else [saved, data_vocab]
    return next((p for p in candidates if os.path.exists(p)), candidates[0])


def _restore_for_inference(args, need_data, chosen=None):
    """Backend, model, session, batch size and vocabulary of a checkpoint.

    chosen: the backend to build the graph for; default: make_backend(args).
    """
    prefix = resolve_checkpoint(
        args.checkpoint or os.path.join(args.output_dir, 'checkpoints', 'best'))
    meta = read_meta(os.path.dirname(prefix))
    categories, cat_to_id = loader.read_category(args.categories_file)
    if args.categories_file is None and meta is not None:
        categories = list(meta['categories'])
        cat_to_id = {c: i for i, c in enumerate(categories)}
    words, word_to_id = loader.read_vocab(_inference_vocab(args, prefix, need_data))
    seq_length = args.seq_length or (meta['seq_length'] if meta else 600)
    check_meta(meta, prefix, words, categories, seq_length)
    config = make_config(args, len(words), len(categories), seq_length)
    if meta is not None:
        config.batch_size = int(meta['config']['batch_size'])
    chosen = chosen or make_backend(args)
    import cnn_model
    from backend import tf
    graph = tf.Graph()
    with graph.as_default():
        model = cnn_model.TextCNN(config, chosen)
        sess = tf.Session(config=chosen.session_config(), graph=graph)
        restore_weights(sess, model.model_variables(), prefix)
    LOG.info('Restored %s', prefix)
    batch = config.batch_size if chosen.static_shapes else args.eval_batch_size
    return types.SimpleNamespace(backend=chosen, model=model, sess=sess, batch=batch,
                                 categories=categories, cat_to_id=cat_to_id,
                                 word_to_id=word_to_id)


def test(args):
    from sklearn import metrics
    require_data(data_file(args, 'test'))
    run = _restore_for_inference(args, need_data=True)
    categories = run.categories
    LOG.info('Loading test data...')
    start = time.time()
    x_test, y_test = load_split(args, 'test', run.word_to_id, run.cat_to_id,
                                run.model.config.seq_length)
    LOG.info('Testing...')
    y_pred = np.zeros(len(x_test), dtype=np.int64)
    with run.sess:
        loss_test, acc_test = evaluate(run.sess, run.model, x_test, y_test, run.batch,
                                       run.backend.static_shapes, predictions=y_pred)
    LOG.info(TEST_FORMAT.format(loss_test, acc_test))
    y_true = np.argmax(y_test, 1)
    labels = list(range(len(categories)))
    LOG.info('Precision, Recall and F1-Score...')
    LOG.info(metrics.classification_report(y_true, y_pred, labels=labels,
                                           target_names=categories, digits=4,
                                           zero_division=0))
    LOG.info('Confusion Matrix...')
    LOG.info('%s', metrics.confusion_matrix(y_true, y_pred, labels=labels))
    LOG.info('Time usage: %s', elapsed(start))
    write_json(os.path.join(args.output_dir, 'test_metrics.json'),
               {'test_loss': loss_test, 'test_acc': acc_test, 'examples': len(x_test),
                'backend': run.backend.name})
    return 0


def read_texts(args):
    """Texts for predict: arguments, else --input_file, else stdin lines."""
    if args.texts:
        return list(args.texts)
    if args.input_file:
        raw = loader._read_bytes(args.input_file, 'input file')
        text = loader._decode(raw, args.input_file)
    else:
        text = sys.stdin.read()
    # One text a line; split on newlines only, since str.splitlines would
    # also split at the separators (\x1c-\x1e, \x85) that news text holds.
    texts = [t.strip() for t in text.split('\n') if t.strip()]
    if not texts:
        raise loader.DataError('nothing to classify: give texts as arguments, '
                               '--input_file or lines on standard input')
    return texts


def predict(args):
    texts = read_texts(args)
    run = _restore_for_inference(args, need_data=False)
    x = loader.Encoder(run.word_to_id).encode(texts, run.model.config.seq_length)
    with run.sess:
        ids = predict_classes(run.sess, run.model, x, run.batch, run.backend.static_shapes)
    for text, i in zip(texts, ids):
        print('%s\t%s' % (run.categories[i], text[:40]))
    return 0


# Inputs and outputs of the frozen graph, for atc's --input_shape and --out_nodes.
FROZEN_INPUT = 'input_x'
FROZEN_OUTPUTS = ('score/y_pred_cls', 'score/probs')


def freeze(args):
    """Writes the best checkpoint as a frozen GraphDef with plain TF ops.

    The graph is built for the CPU with the autodiff pooling path, so that it
    holds only standard inference ops: input_x int32 [batch, seq_length] in,
    score/y_pred_cls int64 [batch] and score/probs float32 [batch, classes]
    out; keep_prob defaults to 1.
    """
    import backend
    plain = backend.Backend('cpu', 'graph export: plain TensorFlow ops')
    plain.routed_pool_grad = False
    run = _restore_for_inference(args, need_data=False, chosen=plain)
    with run.sess:
        frozen = backend.tf.graph_util.convert_variables_to_constants(
            run.sess, run.sess.graph.as_graph_def(), list(FROZEN_OUTPUTS))
    path = os.path.join(args.output_dir, 'textcnn.pb')
    loader.atomic_write(path, frozen.SerializeToString())
    seq_length = run.model.config.seq_length
    LOG.info('Wrote %s (%d nodes): input %s int32 [batch, %d], outputs %s',
             path, len(frozen.node), FROZEN_INPUT, seq_length, ', '.join(FROZEN_OUTPUTS))
    LOG.info('For an Ascend .om model: atc --framework=3 --model=%s --output=textcnn '
             '--input_shape="%s:%d,%d" --out_nodes="%s" --soc_version=<your SoC>',
             path, FROZEN_INPUT, run.batch, seq_length,
             ';'.join(n + ':0' for n in FROZEN_OUTPUTS))
    return 0


def _expected_errors():
    """Errors reported as bad input: TensorFlow is imported only when needed,
    so a data error is reported without waiting for it."""
    backend = sys.modules.get('backend')
    return (ValueError, OSError) + ((backend.BackendError,) if backend else ())


def main(argv=None):
    args = parse_args(argv)
    if args.mode == 'predict':
        setup_logging(stream=sys.stderr)  # stdout carries the predictions
    else:
        # A new training run starts its own log; --resume and test append.
        setup_logging(os.path.join(args.output_dir, args.mode + '.log'),
                      append=args.mode != 'train' or args.resume)
    try:
        modes = {'train': train, 'test': test, 'predict': predict, 'freeze': freeze}
        return modes[args.mode](args)
    except NumericError as e:
        LOG.error('%s', e)
        return EXIT_NUMERIC
    except _expected_errors() as e:
        # DataError, CheckpointError, BackendError and bad settings: the
        # message says what to fix; a traceback would only hide it.
        LOG.error('%s', e)
        return EXIT_BAD_INPUT


if __name__ == '__main__':
    sys.exit(main())
