"""The TextCNN graph: embedding, one convolution, global max pool, two dense layers.

Variable names and shapes are those of the reference implementation, so a
checkpoint moves between it and this port in both directions:

    embedding      [V, E]
    conv/kernel    [K, E, F]    conv/bias [F]
    fc1/kernel     [F, H]       fc1/bias  [H]
    fc2/kernel     [H, C]       fc2/bias  [C]

Shape legend: B batch, L seq_length, V vocab_size, E embedding_dim,
K kernel_size, F num_filters, H hidden_dim, C num_classes.

Layers are written by hand (get_variable, conv1d, matmul) so that the same
code builds under TF 1.15 and under TF 2.x without tf.contrib or Keras.
"""

import collections

from backend import tf

_FIELDS = collections.OrderedDict([
    ('embedding_dim', 64),
    ('seq_length', 600),
    ('num_classes', 10),
    ('num_filters', 256),
    ('kernel_size', 5),
    ('vocab_size', 5000),
    ('hidden_dim', 128),
    ('dropout_keep_prob', 0.5),
    ('learning_rate', 1e-3),
    ('batch_size', 64),
    ('num_epochs', 10),
    ('print_per_batch', 100),
    ('save_per_batch', 10),
    ('require_improvement', 1000),
])


class TCNNConfig(object):
    """Model and training hyper-parameters; defaults are the reference's."""

    def __init__(self, **overrides):
        unknown = sorted(set(overrides) - set(_FIELDS))
        if unknown:
            raise ValueError('unknown TCNNConfig field(s): %s' % ', '.join(unknown))
        for name, default in _FIELDS.items():
            setattr(self, name, overrides.get(name, default))

    def as_dict(self):
        return collections.OrderedDict((k, getattr(self, k)) for k in _FIELDS)

    def validate(self):
        """Raises ValueError naming the first bad value and the fix."""
        for name in ('embedding_dim', 'num_filters', 'kernel_size', 'hidden_dim',
                     'batch_size', 'num_epochs', 'print_per_batch',
                     'save_per_batch', 'require_improvement'):
            if int(getattr(self, name)) < 1:
                raise ValueError('%s is %s; it must be a positive integer'
                                 % (name, getattr(self, name)))
        if self.vocab_size < 2:
            raise ValueError('vocab_size is %d; it must be at least 2' % self.vocab_size)
        if self.num_classes < 2:
            raise ValueError('num_classes is %d; it must be at least 2' % self.num_classes)
        if self.seq_length < self.kernel_size:
            raise ValueError('seq_length %d is shorter than kernel_size %d; raise '
                             '--seq_length' % (self.seq_length, self.kernel_size))
        if not 0.0 < self.dropout_keep_prob <= 1.0:
            raise ValueError('dropout_keep_prob is %s; it must be in (0, 1]'
                             % self.dropout_keep_prob)
        if not self.learning_rate > 0:
            raise ValueError('learning_rate is %s; it must be positive'
                             % self.learning_rate)
        return self


def _dense(x, units, name):
    """x [.., in] @ kernel [in, units] + bias, variables named name/kernel, name/bias."""
    with tf.variable_scope(name):
        kernel = tf.get_variable('kernel', [x.shape[-1], units],
                                 initializer=tf.glorot_uniform_initializer())
        bias = tf.get_variable('bias', [units], initializer=tf.zeros_initializer())
    return tf.nn.bias_add(tf.matmul(x, kernel), bias)


def _global_max_pool(x):
    """[B, T, F] -> [B, F], the maximum over T.

    Written as one max_pool window over the whole length: its gradient is a
    single MaxPoolGrad op, where reduce_max's is five elementwise passes over
    [B, T, F] (measured about 15% faster per training step on the CPU).
    """
    steps = x.shape[1].value if hasattr(x.shape[1], 'value') else x.shape[1]
    if steps is None:
        return tf.reduce_max(x, axis=1)
    pooled = tf.nn.max_pool(tf.expand_dims(x, 1), [1, 1, steps, 1], [1, 1, 1, 1], 'VALID')
    return tf.reshape(pooled, [-1, x.shape[-1]])


def _embed_conv_max_pool(embedding, ids, kernel):
    """Embedding, VALID conv1d and global max pool, with a routed gradient.

    The gradient of a max reaches only the position that won it, so of the
    [B, T, F] convolution outputs just B * F carry gradient. Autodiff still
    runs both convolution gradients densely over all T positions; here they
    are computed from the K-wide windows at the argmax positions alone,
    about T (596) times less work for the same values, and the embedding
    gradient comes out dense, [V, E], with no IndexedSlices to merge. Ties
    between equal windows (runs of <PAD>) give the same sums either way.

    Args:
        embedding: float32 [V, E]. ids: int32 [B, L]. kernel: float32 [K, E, F].

    Returns:
        float32 [B, F]: max over t of sum_k embedding[ids[b, t + k]] @ kernel[k].
    """
    k, e = int(kernel.shape[0]), int(kernel.shape[1])

    @tf.custom_gradient
    def embed_conv_max_pool(table, w):
        inputs = tf.gather(table, ids)  # [B, L, E]
        conv = tf.nn.conv1d(inputs, w, stride=1, padding='VALID')  # [B, T, F]
        where = tf.argmax(conv, axis=1, output_type=tf.int32)  # [B, F]

        def grad(dy):  # dy [B, F]
            b, length = tf.shape(ids)[0], tf.shape(ids)[1]
            # Flat position in ids under each tap of each winning window.
            rows = (where[:, :, None] + tf.range(k)[None, None, :]
                    + (tf.range(b) * length)[:, None, None])  # [B, F, K]
            tokens = tf.gather(tf.reshape(ids, [-1]), rows)  # [B, F, K]
            windows = tf.gather(table, tokens)  # [B, F, K, E]
            dy4 = dy[:, :, None, None]
            dw = tf.transpose(tf.reduce_sum(dy4 * windows, 0), [1, 2, 0])  # [K, E, F]
            taps = dy4 * tf.transpose(w, [2, 0, 1])[None]  # [B, F, K, E]
            dtable = tf.unsorted_segment_sum(tf.reshape(taps, [-1, e]),
                                             tf.reshape(tokens, [-1]), tf.shape(table)[0])
            return dtable, dw

        return tf.reduce_max(conv, axis=1), grad

    return embed_conv_max_pool(tf.convert_to_tensor(embedding), tf.convert_to_tensor(kernel))


class TextCNN(object):
    """Builds the classifier, its loss, accuracy and Adam training op.

    Args:
        config: a TCNNConfig.
        backend: a backend.Backend; supplies dropout, the embedding gather
            and optimizer wrappers for its device.
        inputs: optional (x, y) tensors, e.g. a tf.data iterator's next
            batch, that input_x and input_y default to.

    Attributes (tensors):
        input_x: int32 [B, L] placeholder. input_y: float32 [B, C]
        placeholder. keep_prob: float32 scalar placeholder.
        logits [B, C], probs [B, C], y_pred_cls int64 [B], per_example_loss [B],
        correct bool [B], loss and acc scalars, optim the training op.
    """

    def __init__(self, config, backend, inputs=None):
        self.config = config
        batch = config.batch_size if backend.static_shapes else None
        x_shape, y_shape = [batch, config.seq_length], [batch, config.num_classes]
        if inputs is None:
            self.input_x = tf.placeholder(tf.int32, x_shape, name='input_x')
            self.input_y = tf.placeholder(tf.float32, y_shape, name='input_y')
        else:
            # Batches from a tf.data iterator, unless input_x/input_y are fed
            # (feeding them prunes the iterator out of that call).
            self.input_x = tf.placeholder_with_default(inputs[0], x_shape, name='input_x')
            self.input_y = tf.placeholder_with_default(inputs[1], y_shape, name='input_y')
        self.keep_prob = tf.placeholder_with_default(1.0, [], name='keep_prob')
        self._build(backend)

    def _build(self, backend):
        cfg = self.config

        # Embedding. Not pinned to /cpu:0 as in the reference: on a GPU or NPU
        # that pin costs a host round trip per step for a 1.3 MB table.
        embedding = tf.get_variable('embedding', [cfg.vocab_size, cfg.embedding_dim])

        # One VALID convolution, then global max pooling: the strongest
        # response of each filter anywhere in the text, so that position does
        # not matter and any seq_length gives a fixed-size vector.
        with tf.name_scope('cnn'):
            with tf.variable_scope('conv'):
                kernel = tf.get_variable(
                    'kernel', [cfg.kernel_size, cfg.embedding_dim, cfg.num_filters],
                    initializer=tf.glorot_uniform_initializer())
                bias = tf.get_variable('bias', [cfg.num_filters],
                                       initializer=tf.zeros_initializer())
            if backend.routed_pool_grad:
                gmp = _embed_conv_max_pool(embedding, self.input_x, kernel)  # [B, F]
            else:
                inputs = backend.embedding_lookup(embedding, self.input_x)  # [B, L, E]
                conv = tf.nn.conv1d(inputs, kernel, stride=1, padding='VALID')  # [B, T, F]
                gmp = _global_max_pool(conv)  # [B, F]
            # The bias is added after pooling: max(x + b) == max(x) + b exactly
            # (rounding is monotonic), and it spares two passes over [B, L-K+1, F].
            gmp = tf.nn.bias_add(gmp, bias, name='gmp')

        # Classifier: dense, dropout, ReLU (the reference's order), dense.
        with tf.name_scope('score'):
            fc = _dense(gmp, cfg.hidden_dim, 'fc1')  # [B, H]
            fc = backend.dropout(fc, self.keep_prob)
            fc = tf.nn.relu(fc)
            self.logits = _dense(fc, cfg.num_classes, 'fc2')  # [B, C]
            self.probs = tf.nn.softmax(self.logits, name='probs')
            self.y_pred_cls = tf.argmax(self.logits, 1, name='y_pred_cls')

        with tf.name_scope('loss'):
            self.per_example_loss = tf.nn.softmax_cross_entropy_with_logits_v2(
                logits=self.logits, labels=tf.stop_gradient(self.input_y))
            self.loss = tf.reduce_mean(self.per_example_loss)

        with tf.name_scope('optimize'):
            optimizer = backend.wrap_optimizer(
                tf.train.AdamOptimizer(learning_rate=cfg.learning_rate))
            self.optim = optimizer.minimize(self.loss)

        with tf.name_scope('accuracy'):
            self.correct = tf.equal(tf.argmax(self.input_y, 1), self.y_pred_cls)
            self.acc = tf.reduce_mean(tf.cast(self.correct, tf.float32))

    def model_variables(self):
        """The trained weights: what test and predict restore."""
        return tf.trainable_variables()
