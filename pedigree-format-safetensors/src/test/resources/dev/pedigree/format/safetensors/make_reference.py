# Generates reference-numpy.safetensors with the reference implementation (safetensors 0.8.0,
# numpy backend). Re-run with:  python3 make_reference.py
# SafetensorsReferenceFileTest asserts the same values.
import numpy as np
from safetensors.numpy import save_file

tensors = {
    "model.embed_tokens.weight": np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5 - 1.0,
    "model.layers.0.mlp.up_proj.weight": np.array([[1.0, -2.0, 0.5], [65504.0, 6.1035156e-05, -0.0]], dtype=np.float16),
    "model.norm.weight": np.array([1.0, 2.5, -3.25], dtype=np.float64),
    "i8": np.array([-128, -1, 0, 127], dtype=np.int8),
    "u8": np.array([0, 1, 200, 255], dtype=np.uint8),
    "i16": np.array([-32768, 32767], dtype=np.int16),
    "u16": np.array([65535, 7], dtype=np.uint16),
    "i32": np.array([[-2147483648], [123456]], dtype=np.int32),
    "u32": np.array([4000000000], dtype=np.uint32),
    "i64": np.array([-2, 1 << 40], dtype=np.int64),
    "u64": np.array([18446744073709551615, 5], dtype=np.uint64),
    "flags": np.array([True, False, True], dtype=np.bool_),
    "c64": np.array([1 + 2j], dtype=np.complex64),
    "scalar": np.array(7.0, dtype=np.float32),
    "empty": np.zeros((0, 3), dtype=np.float32),
}
save_file(tensors, "reference-numpy.safetensors", metadata={"format": "np", "source": "safetensors 0.8.0"})
