"""Errors that mean 'bad input or configuration': the CLI prints them as one line."""

import tensorflow as tf

from pipelines.discovery import DataError
from sr_tf.image_io import ImageError
from sr_tf.weights import WeightImportError

USER_ERRORS = (DataError, ImageError, WeightImportError, FileNotFoundError, FileExistsError,
               ValueError, tf.errors.InvalidArgumentError)
