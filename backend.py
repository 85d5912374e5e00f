"""Picks the device (Ascend NPU, GPU or CPU) and builds its session config.

The choice is made in one place, ``choose_backend``: the NPU when the
Ascend adapter ``npu_bridge`` imports, else a GPU when TensorFlow sees one,
else the CPU. ``--device`` forces one and fails clearly when it is missing.

Session configs are plain protobuf, so the NPU one is built and checked
without ``npu_bridge`` installed. The adapter itself is imported lazily and
only here: every NPU-only op has a plain TensorFlow twin used elsewhere.

The module also imports TensorFlow once for the project, as
``tensorflow.compat.v1`` in graph mode, so one code base runs on TF 1.15 and
on TF 2.x.
"""

import logging
import os

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import tensorflow.compat.v1 as tf  # noqa: E402
from tensorflow.core.protobuf import rewriter_config_pb2  # noqa: E402

tf.logging.set_verbosity(tf.logging.ERROR)
tf.disable_v2_behavior()

DEVICES = ('auto', 'npu', 'gpu', 'cpu')
PRECISION_MODES = ('allow_fp32_to_fp16', 'allow_mix_precision', 'force_fp32',
                   'must_keep_origin_dtype')
# Precision used when --precision_mode is not given: the adapter's training
# default on the NPU; elsewhere the graph stays in float32.
DEFAULT_NPU_PRECISION = 'allow_fp32_to_fp16'

logger = logging.getLogger(__name__)


class BackendError(RuntimeError):
    """The requested device is not available; the message says why."""


def npu_session_config(precision_mode=DEFAULT_NPU_PRECISION, iterations_per_loop=1,
                       dynamic_input=False, profiling_dir=None):
    """A ConfigProto that makes a plain tf.Session run on the Ascend NPU.

    Args:
        precision_mode: one of PRECISION_MODES.
        iterations_per_loop: training steps the device runs per session call
            (more than 1 needs a tf.data iterator on the device).
        dynamic_input: let input shapes change between calls (recompiles).
        profiling_dir: write a training-trace profile there, or None.

    Raises:
        ValueError: an unknown precision mode or a loop count below 1.
    """
    if precision_mode not in PRECISION_MODES:
        raise ValueError('precision_mode %r is not one of %s'
                         % (precision_mode, ', '.join(PRECISION_MODES)))
    if iterations_per_loop < 1:
        raise ValueError('iterations_per_loop is %d; it must be 1 or more'
                         % iterations_per_loop)
    config = tf.ConfigProto(allow_soft_placement=True)
    rewrite = config.graph_options.rewrite_options
    npu = rewrite.custom_optimizers.add()
    npu.name = 'NpuOptimizer'
    params = npu.parameter_map
    params['use_off_line'].b = True
    params['precision_mode'].s = precision_mode.encode('ascii')
    params['iterations_per_loop'].i = iterations_per_loop
    params['enable_data_pre_proc'].b = iterations_per_loop > 1
    params['mix_compile_mode'].b = False
    if dynamic_input:
        params['dynamic_input'].b = True
        params['dynamic_graph_execute_mode'].s = b'lazy_recompile'
    if profiling_dir:
        params['profiling_mode'].b = True
        params['profiling_options'].s = (
            '{"output": "%s", "training_trace": "on"}' % profiling_dir).encode('utf-8')
    # The adapter owns these graph rewrites; TensorFlow's own must stay off.
    rewrite.remapping = rewriter_config_pb2.RewriterConfig.OFF
    rewrite.memory_optimization = rewriter_config_pb2.RewriterConfig.OFF
    return config


def gpu_session_config(mixed_precision=False):
    """A ConfigProto for one GPU: memory grows as needed, optional AMP."""
    config = tf.ConfigProto(allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    if mixed_precision:
        config.graph_options.rewrite_options.auto_mixed_precision = (
            rewriter_config_pb2.RewriterConfig.ON)
    return config


def cpu_threads():
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_session_config(threads=None):
    """A ConfigProto that hides any GPU, so that 'cpu' means the CPU.

    One op at a time (inter_op 1), each on all cores (intra_op): the graph
    is a chain of large ops, and TensorFlow's default of a pool per core on
    both levels oversubscribes the cores (measured 1.5x slower training
    steps on 2 cores under TF 2.x and TF 1.15).
    """
    return tf.ConfigProto(device_count={'GPU': 0}, allow_soft_placement=True,
                          intra_op_parallelism_threads=threads or cpu_threads(),
                          inter_op_parallelism_threads=1)


def import_npu():
    """Imports the adapter modules this project uses.

    Returns:
        A dict of modules, or None with the import error logged at debug.
    """
    try:
        from npu_bridge.estimator import npu_ops
        from npu_bridge.estimator.npu import npu_loss_scale_manager
        from npu_bridge.estimator.npu import npu_loss_scale_optimizer
        from npu_bridge.estimator.npu import npu_optimizer
        from npu_bridge.estimator.npu import util
    except ImportError as e:
        logger.debug('npu_bridge is not available: %s', e)
        return None
    return {'npu_ops': npu_ops, 'npu_optimizer': npu_optimizer,
            'loss_scale_manager': npu_loss_scale_manager,
            'loss_scale_optimizer': npu_loss_scale_optimizer, 'util': util}


def gpu_count():
    """How many GPUs TensorFlow sees."""
    return len(tf.config.experimental.list_physical_devices('GPU'))


class Backend(object):
    """One device's session config and its device-specific ops.

    Attributes:
        name: 'npu', 'gpu' or 'cpu'.
        reason: why this device was chosen, for the start-up log.
        precision_mode: the NPU precision mode, or 'allow_mix_precision'
            for GPU automatic mixed precision, else 'force_fp32'.
        static_shapes: every batch fed must have the same shape (on the NPU
            a new shape means a new graph compilation).
        routed_pool_grad: compute the convolution's gradient at the max-pool
            winners only (cnn_model._embed_conv_max_pool); on the CPU it makes
            training steps about 2x faster (benchmark.py). Off where it was
            not measured: GPU convolutions are cuDNN's, and the NPU's cube
            units favour the plain convolution gradients over gathers and
            scatters.
    """

    def __init__(self, name, reason, precision_mode='force_fp32', npu=None,
                 npu_loss_scale=True, iterations_per_loop=1):
        self.name = name
        self.reason = reason
        self.precision_mode = precision_mode
        self.npu = npu
        self.npu_loss_scale = npu_loss_scale
        self.iterations_per_loop = iterations_per_loop
        self.static_shapes = name == 'npu'
        # Training steps per session call: more than one only on the NPU,
        # where the adapter runs them in a loop on the device.
        self.steps_per_call = iterations_per_loop if name == 'npu' else 1
        self.routed_pool_grad = name == 'cpu'

    def __repr__(self):
        return 'Backend(%s, %s)' % (self.name, self.precision_mode)

    def session_config(self):
        if self.name == 'npu':
            return npu_session_config(self.precision_mode, self.iterations_per_loop)
        if self.name == 'gpu':
            return gpu_session_config(self.precision_mode == 'allow_mix_precision')
        return cpu_session_config()

    def loop_train_op(self, sess, train_op):
        """The op that runs steps_per_call training steps per session call.

        Call after the variables are initialised: the adapter edits the graph
        of sess. The batches must come from a tf.data iterator in the graph.
        """
        if self.steps_per_call == 1:
            return train_op
        return self.npu['util'].set_iteration_per_loop(sess, train_op, self.steps_per_call)

    def dropout(self, x, keep_prob):
        """Inverted dropout: keeps each unit with keep_prob, scales by 1/keep_prob."""
        if self.npu is not None:
            return self.npu['npu_ops'].dropout(x, keep_prob)
        return tf.nn.dropout(x, rate=1.0 - keep_prob)

    def embedding_lookup(self, params, ids):
        """Gathers rows of params.

        On the NPU the gradient is a dense unsorted_segment_sum instead of
        IndexedSlices, which the device handles poorly; elsewhere the usual
        sparse gradient is cheaper.
        """
        if self.name == 'npu':
            return dense_grad_gather(params, ids)
        return tf.nn.embedding_lookup(params, ids)

    def wrap_optimizer(self, optimizer):
        """Adds what the device needs around the optimizer.

        On the NPU: gradient allreduce when RANK_SIZE > 1, and dynamic loss
        scaling under mixed precision (fp16 gradients can overflow). On a GPU
        with allow_mix_precision: TensorFlow's mixed-precision graph rewrite,
        which adds dynamic loss scaling for the same reason.
        """
        if self.name == 'gpu' and self.precision_mode == 'allow_mix_precision':
            return tf.train.experimental.enable_mixed_precision_graph_rewrite(optimizer)
        if self.npu is None:
            return optimizer
        if int(os.environ.get('RANK_SIZE', '1')) > 1:
            optimizer = self.npu['npu_optimizer'].NPUDistributedOptimizer(optimizer)
        if self.npu_loss_scale and self.precision_mode == 'allow_mix_precision':
            manager = self.npu['loss_scale_manager'].ExponentialUpdateLossScaleManager(
                init_loss_scale=2 ** 32, incr_every_n_steps=1000,
                decr_every_n_nan_or_inf=2, decr_ratio=0.5)
            optimizer = self.npu['loss_scale_optimizer'].NPULossScaleOptimizer(
                optimizer, manager)
        return optimizer


def dense_grad_gather(params, ids):
    """tf.gather whose gradient w.r.t. params is a dense tensor.

    Args:
        params: float [rows, dim] tensor or variable.
        ids: int32 tensor of any shape with values in [0, rows).

    Returns:
        float tensor of shape ids.shape + [dim].
    """
    params = tf.convert_to_tensor(params)
    rows = tf.shape(params)[0]

    @tf.custom_gradient
    def gather(table):
        def grad(dy):
            flat = tf.reshape(dy, [-1, tf.shape(table)[1]])
            return tf.unsorted_segment_sum(flat, tf.reshape(ids, [-1]), rows)
        return tf.gather(table, ids), grad

    return gather(params)


def choose_backend(device='auto', precision_mode=None, npu_loss_scale=True,
                   iterations_per_loop=1, npu_importer=None, gpu_counter=None):
    """Chooses the device.

    Args:
        device: 'auto' (NPU, then GPU, then CPU), 'npu', 'gpu' or 'cpu'.
        precision_mode: one of PRECISION_MODES, or None for the default.
        npu_loss_scale: use dynamic loss scaling on the NPU under mixed
            precision.
        iterations_per_loop: NPU steps per session call.
        npu_importer, gpu_counter: probes (default import_npu, gpu_count).

    Returns:
        A Backend.

    Raises:
        ValueError: unknown device or precision mode.
        BackendError: the forced device is not available.
    """
    if device not in DEVICES:
        raise ValueError('--device %r is not one of %s' % (device, ', '.join(DEVICES)))
    if precision_mode is not None and precision_mode not in PRECISION_MODES:
        raise ValueError('--precision_mode %r is not one of %s'
                         % (precision_mode, ', '.join(PRECISION_MODES)))
    npu = (npu_importer or import_npu)() if device in ('auto', 'npu') else None
    if npu is not None:
        why = 'forced by --device npu' if device == 'npu' else 'npu_bridge imports'
        return Backend('npu', why, precision_mode or DEFAULT_NPU_PRECISION, npu,
                       npu_loss_scale, iterations_per_loop)
    npu_only = ('; --iterations_per_loop %d applies to the NPU only, one step a call '
                'here' % iterations_per_loop if iterations_per_loop > 1 else '')
    if device == 'npu':
        raise BackendError('--device npu: npu_bridge does not import; run on an '
                           'Ascend host with the CANN toolkit set up (source its '
                           'set_env.sh), or use --device auto')
    gpus = (gpu_counter or gpu_count)() if device in ('auto', 'gpu') else 0
    mixed = 'allow_mix_precision' if precision_mode == 'allow_mix_precision' else 'force_fp32'
    if gpus:
        why = 'forced by --device gpu' if device == 'gpu' else (
            'no npu_bridge; TensorFlow sees %d GPU(s)' % gpus)
        return Backend('gpu', why + npu_only, mixed)
    if device == 'gpu':
        raise BackendError('--device gpu: TensorFlow sees no GPU (is this a CUDA '
                           'build of TensorFlow, and is CUDA_VISIBLE_DEVICES set?); '
                           'use --device auto or cpu')
    why = 'forced by --device cpu' if device == 'cpu' else 'no npu_bridge and no GPU'
    if precision_mode not in (None, 'force_fp32', 'must_keep_origin_dtype'):
        why += '; --precision_mode %s has no effect on the CPU, which runs float32' % (
            precision_mode)
    return Backend('cpu', why + npu_only, 'force_fp32')
