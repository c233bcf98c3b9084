"""The one place that knows which TensorFlow is installed.

The code runs on TensorFlow 1.5 (Python 3.6) and on
current TensorFlow 2.x. Everything else does `from core.tfcompat import tf` and gets
the TF1-style graph API either way. IS_TF1 tells the version to the few places that
must know it. Anything that differs between the versions beyond that lives
here, or in the one module that needs it.
"""
import os
import warnings

# TensorFlow's C++ start-up chatter (CPU feature notices) is noise for users.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN matmuls measured 5-15% faster here than Eigen's; TF 2.x
# leaves them off on some CPUs (AMD) unless asked. TF 1.5 ignores the variable.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
# TF 1.5 trips NumPy >= 1.17 deprecation warnings on import; they are harmless.
warnings.filterwarnings("ignore", category=FutureWarning, module=r"tensorflow")
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"tensorflow")



def _import_tensorflow():
    """Import TensorFlow with its C++ start-up notices silenced.

    TF 2.x prints them to file descriptor 2 before its log-level setting is
    read, and they would spoil the one-line error messages of main.py.
    """
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
        if not tensorflow.__version__.startswith("1."):
            tensorflow.compat.v1  # the lazily loaded v1 API prints the notice again
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


_tf = _import_tensorflow()

TF_VERSION = _tf.__version__
IS_TF1 = int(TF_VERSION.split(".")[0]) == 1

if IS_TF1:
    tf = _tf
    stateless_uniform = _tf.contrib.stateless.stateless_random_uniform  # (shape, seed [2])
else:
    tf = _tf.compat.v1
    tf.disable_eager_execution()  # graph mode: Session, Saver, placeholders
    stateless_uniform = _tf.random.stateless_uniform  # (shape, seed [2])

tf.logging.set_verbosity(tf.logging.ERROR)


def session_config(towers=1):
    """Session settings shared by training and testing: with towers, one thread per op and
    up to `towers` ops side by side. TensorFlow sizes its thread pools once per process, by the first session."""
    if towers > 1:
        return tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=towers)
    return tf.ConfigProto()
