"""Variable-length inputs for --crop_augment: random crops read as pixel streams.

A crop of h x w pixels (each side drawn uniformly from 24..28) at a random
place in the 28 x 28 image is read row-major as one stream of h*w pixels and
cut into time steps of 28 pixels; the last step is zero-padded and the
example's length is the number of steps that hold pixels:

    crop [h, w] -> stream [h*w] -> ceil(h*w / 28) steps of 28 (21 to 28 steps)

Rows of the crop no longer line up with time steps, so the model has to learn
the digit from a stream rather than from fixed rows; that is the point of the
exercise. The test set gets the same treatment once, with a fixed seed.
"""
import numpy as np

MIN_SIDE, MAX_SIDE = 24, 28
SIDE = 28              # images are SIDE x SIDE; a time step holds SIDE pixels
TEST_CROP_SEED = 2014  # the cropped test set is the same for every model and every run


def random_crops(images, rng):
    """images [N, 28, 28] -> (streams [N, 28, 28] zero-padded, lengths [N] in steps)."""
    n = len(images)
    heights = rng.randint(MIN_SIDE, MAX_SIDE + 1, n)
    widths = rng.randint(MIN_SIDE, MAX_SIDE + 1, n)
    tops = rng.randint(0, SIDE - heights + 1)    # one draw per example, each with its own upper bound
    lefts = rng.randint(0, SIDE - widths + 1)
    streams = np.zeros((n, SIDE * SIDE), np.float32)
    for k in range(n):
        crop = images[k, tops[k]:tops[k] + heights[k], lefts[k]:lefts[k] + widths[k]].ravel()  # [h, w] -> [h*w]
        streams[k, :crop.size] = crop
    lengths = -(-(heights * widths) // SIDE)      # ceil(h*w / 28)
    return streams.reshape(n, SIDE, SIDE), lengths.astype(np.int32)  # [N, 784] -> [N, 28 steps, 28]
