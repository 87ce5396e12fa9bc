"""The review UI (`gbiz-review serve`): server-rendered pages over the pipeline's storage."""
