"""tf.data pipelines: data discovery, training patches, validation images, TFRecords."""
