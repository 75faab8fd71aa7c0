# Generates all-dtypes.safetensors with the reference implementation (safetensors 0.8.0) from
# hand-encoded bytes: four elements of every dtype its Python API accepts (all but the F6 types,
# which the reader tests write with SafetensorsWriter). Re-run with:
#   python3 make_all_dtypes.py
# The expected values are asserted in SafetensorsReferenceFileTest.
import ctypes
import struct
from safetensors import _safetensors_rust as rust

# header dtype -> (dtype name accepted by TensorSpec, stored bytes)
DATA = {
    "F64": ("float64", struct.pack("<4d", 1.5, -2.0, 0.0, 3.25)),
    "F32": ("float32", struct.pack("<4f", 1.5, -2.0, 0.0, 3.25)),
    "F16": ("float16", struct.pack("<4H", 0x3C00, 0xC000, 0x3800, 0x7BFF)),  # 1, -2, 0.5, 65504
    "BF16": ("bfloat16", struct.pack("<4H", 0x3FC0, 0xC000, 0x0000, 0x4050)),  # 1.5, -2, 0, 3.25
    "F8_E4M3": ("float8_e4m3fn", bytes([0x38, 0xC0, 0x30, 0x7E])),  # 1, -2, 0.5, 448
    "F8_E5M2": ("float8_e5m2", bytes([0x3C, 0xC0, 0x38, 0x7B])),  # 1, -2, 0.5, 57344
    "F8_E4M3FNUZ": ("float8_e4m3fnuz", bytes([0x40, 0xC8, 0x38, 0x7F])),  # 1, -2, 0.5, 240
    "F8_E5M2FNUZ": ("float8_e5m2fnuz", bytes([0x40, 0xC4, 0x3C, 0x7F])),  # 1, -2, 0.5, 57344
    "F8_E8M0": ("float8_e8m0fnu", bytes([0x7F, 0x80, 0x7E, 0x00])),  # 1, 2, 0.5, 2^-127
    "BOOL": ("bool", bytes([1, 0, 1, 1])),
    "U8": ("uint8", bytes([0, 1, 200, 255])),
    "I8": ("int8", struct.pack("<4b", -128, -1, 0, 127)),
    "U16": ("uint16", struct.pack("<4H", 0, 1, 40000, 65535)),
    "I16": ("int16", struct.pack("<4h", -32768, -1, 0, 32767)),
    "U32": ("uint32", struct.pack("<4I", 0, 1, 4000000000, 7)),
    "I32": ("int32", struct.pack("<4i", -2147483648, -1, 0, 123456)),
    "U64": ("uint64", struct.pack("<4Q", 0, 1, 1 << 40, 5)),
    "I64": ("int64", struct.pack("<4q", -2, -1, 0, 1 << 40)),
    "C64": ("complex64", struct.pack("<8f", 1, 2, 3, 4, 5, 6, 7, 8)),
    "F4": ("float4_e2m1fn_x2", bytes([0x21, 0x43])),
}

keep = []
specs = {}
for header_name, (spec_name, data) in DATA.items():
    buf = ctypes.create_string_buffer(data, len(data))
    keep.append(buf)
    # Packed F4 takes the storage shape (two values per byte) and doubles the last dimension.
    shape = [2] if header_name == "F4" else [4]
    specs["t_" + header_name] = rust.TensorSpec(dtype=spec_name, shape=shape, data_ptr=ctypes.addressof(buf), data_len=len(data))
rust.serialize_file(specs, "all-dtypes.safetensors", metadata={"format": "pt"})
