"""Sample scan batches with ground truth.

`samples.generator.generate_batch(out_dir, BatchSpec(...))`, or
`python -m samples OUT_DIR --count N --seed S`. Nothing heavy is imported here.
"""
