"""The plain ways to run one direction of one layer over the 28 rows: the textbook graph.

model.py owns the network's layout (layers, directions, the [forward, backward] join, lengths) and hands
each (layer, direction) to an unroller:

    outputs, final_h = unroller.layer(cell, x, lengths, reverse)
        x        [28*B, in], time-major: rows t*B .. t*B+B-1 are step t
        lengths  [B] real steps per example, or None for all 28
        reverse  read the steps last to first (a bidirectional layer's backward cell): the state starts at
                 the example's last real step and ends after step 1
        outputs  [28*B, H], time-major, aligned with x (zero past an example's last real step)
        final_h  [B, H], h after the last step read
    gradients = unroller.gradients(objective, variables)

`--unroll` chooses the unroller; all compute the same steps of the same cell, so the logits and gradients agree
up to float rounding. `Loop` (here, `--unroll=loop`, always present) is a plain Python loop over the time
steps that calls the cell once per step, with masks for lengths. Any other unroller is a module
core/unroll_<name>.py beside this one, with HELP (a line for --help, read by core/config.py, which lists
them) and make(towers, defer); `make_unroller` builds one by its name.
"""
import importlib

from core.tfcompat import tf

NUM_STEPS = 28  # rows of an image = time steps


def final_h(state):
    """The hidden state h of a cell's state (the LSTM's is LSTMState(c, h))."""
    return state.h if isinstance(state, tuple) else state


def keep_past_the_end(real, new_state, old_state, output):
    """One step with variable lengths: where `real` [B] is False (the example has ended) the state stays and
    the output is zero."""
    keep = lambda new, old: tf.where(real, new, old)
    if isinstance(old_state, tuple):  # LSTMState(c, h)
        new_state = type(old_state)(*[keep(n, o) for n, o in zip(new_state, old_state)])
    else:
        new_state = keep(new_state, old_state)
    return tf.where(real, output, tf.zeros_like(output)), new_state


def batch_of(step):
    """The batch size of a [B, in] step: static if known, else a tensor."""
    static = step.shape.as_list()[0]
    return static if static is not None else tf.shape(step)[0]


class Unroller(object):
    """What every unroller shares: gradients by tf.gradients (an unroller may override it, to defer W_h's)."""

    def gradients(self, objective, variables):
        return tf.gradients(objective, variables)


class Loop(Unroller):
    """A Python loop over the steps calling the cell; finished examples are masked. No RNN API."""

    def layer(self, cell, x, lengths, reverse):
        steps = tf.split(x, NUM_STEPS, axis=0)  # [28*B, in] -> 28 x [B, in]
        cell.build(int(x.shape[1]))
        state = cell.zero_state(batch_of(steps[0]), tf.float32)
        outputs = [None] * NUM_STEPS
        for t in (reversed(range(NUM_STEPS)) if reverse else range(NUM_STEPS)):
            output, new_state = cell(steps[t], state)
            if lengths is not None:  # reading backwards, the state stays zero through the padding
                output, new_state = keep_past_the_end(tf.less(t, lengths), new_state, state, output)
            outputs[t], state = output, new_state
        return tf.concat(outputs, 0), final_h(state)  # 28 x [B, H] -> [28*B, H]


def module_of(name):
    """The module of a named unroller other than the loop."""
    return importlib.import_module("core.unroll_" + name)


def has_towers(name):
    """Whether the unroller cuts a training batch into towers (--towers)."""
    return name != "loop" and getattr(module_of(name), "TOWERS", False)


def make_unroller(name, towers=1, defer=False):
    """The unroller `--unroll=name`: towers for a training batch where it has them, W_h's gradient deferred
    (the training graph) where it does that; the modules of the others are imported only when asked for."""
    return Loop() if name == "loop" else module_of(name).make(towers, defer)
