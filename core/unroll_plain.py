"""The plain unroller (`--unroll=plain`): static_rnn per direction, the textbook graph.
The interface is core/unroll.py's; the backward direction reverses each example's real steps first, as
static_bidirectional_rnn does. core/unroll.py finds this module by its name (core/unroll_<name>.py) and reads
HELP and make()."""
from core.tfcompat import IS_TF1, tf
from core.unroll import NUM_STEPS, Unroller, final_h

# TensorFlow's RNN function, by version: it lives here, with the two unrollers that call it (this module and
# core/unroll_fast.py), not in core/tfcompat.py.
static_rnn = tf.contrib.rnn.static_rnn if IS_TF1 else tf.nn.static_rnn
HELP = "the steps driven by TensorFlow's static_rnn per direction, the textbook graph"


def make(towers=1, defer=False):
    """The unroller for model.py (one chain: towers and deferral are the fast unroller's levers)."""
    return StaticRNN()


class StaticRNN(Unroller):
    """static_rnn over the rows and tf.gradients: the plain path."""

    def layer(self, cell, x, lengths, reverse):
        steps = tf.split(x, NUM_STEPS, axis=0)  # [28*B, in] -> 28 x [B, in]
        if reverse:
            steps = self._reverse(steps, lengths)
        outputs, state = static_rnn(cell, steps, dtype=tf.float32, sequence_length=lengths)
        if reverse:
            outputs = self._reverse(outputs, lengths)
        return tf.concat(outputs, 0), final_h(state)  # 28 x [B, H] -> [28*B, H]

    @staticmethod
    def _reverse(steps, lengths):
        """Each example's real steps in reverse order, the padding left where it is."""
        if lengths is None:
            return steps[::-1]
        stacked = tf.stack(steps)  # 28 x [B, n] -> [28, B, n]
        return tf.unstack(tf.reverse_sequence(stacked, tf.cast(lengths, tf.int64), 0, 1))
