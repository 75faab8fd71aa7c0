"""Generates the small pickle / checkpoint fixtures under src/test/resources/dev/pedigree/format/pytorch.

Run once with plain CPython 3 (no torch needed): python3 src/test/python/make_fixtures.py
The files are committed; tests never need Python.

hostile/*.pkl: pickles that would run code or touch the file system if a normal unpickler loaded
them. Each one that could create MARKER names it, so the Java test can prove nothing ran.
fake_torch_*.pt: checkpoints written by CPython's own pickler through stand-in torch classes, so the
opcode stream is exactly what torch.save produces (memo, BINPERSID, OrderedDict + BUILD _metadata),
with known values.
"""
import collections
import io
import os
import pickle
import struct
import subprocess
import sys
import types
import zipfile
import functools
import builtins

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "dev", "pedigree", "format", "pytorch")
MARKER = "/tmp/pedigree-pytorch-marker-must-not-exist"


def write(rel, data):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


# ---- hostile pickles produced by CPython's pickler itself
write("hostile/posix_system_p2.pkl", pickle.dumps(Reduce(os.system, ("touch " + MARKER,)), protocol=2))
write("hostile/posix_system_p4.pkl", pickle.dumps(Reduce(os.system, ("touch " + MARKER,)), protocol=4))
write("hostile/builtins_eval_p4.pkl", pickle.dumps(Reduce(builtins.eval, ("__import__('os').system('touch %s')" % MARKER,)), protocol=4))
write("hostile/builtins_eval_p2.pkl", pickle.dumps(Reduce(builtins.eval, ("1+1",)), protocol=2))
write("hostile/builtins_open_marker_p2.pkl", pickle.dumps(Reduce(builtins.open, (MARKER, "w")), protocol=2, fix_imports=False))
write("hostile/subprocess_popen_p2.pkl", pickle.dumps(Reduce(subprocess.Popen, (["touch", MARKER],)), protocol=2, fix_imports=False))
write("hostile/subprocess_popen_commands_p2.pkl", pickle.dumps(Reduce(subprocess.Popen, (["touch", MARKER],)), protocol=2))
write("hostile/functools_partial_p2.pkl", pickle.dumps(Reduce(functools.partial, (os.system, "touch " + MARKER)), protocol=2))
# A state dict whose _metadata hides a call: the payload sits after legitimate-looking data.
d = collections.OrderedDict()
d["layer.weight"] = 1.5
d._metadata = Reduce(os.system, ("touch " + MARKER,))
write("hostile/state_dict_hidden_system_p2.pkl", pickle.dumps(d, protocol=2))

# ---- hand-assembled: GLOBAL os.system and STACK_GLOBAL os.system exactly as named
cmd = ("touch " + MARKER).encode()
write("hostile/os_system_global.pkl", b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len(cmd)) + cmd + b"\x85R.")
write("hostile/os_system_stack_global.pkl",
      b"\x80\x04\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c" + bytes([len(cmd)]) + cmd + b"\x94\x85\x94R\x94.")
marker = MARKER.encode()
write("hostile/builtins_open_marker.pkl",
      b"\x80\x02cbuiltins\nopen\nX" + struct.pack("<I", len(marker)) + marker + b"X\x01\x00\x00\x00w\x86R.")
# Protocol-0 INST, as an old Python 2 pickle would have it.
write("hostile/inst_os_system.pkl", b"(X" + struct.pack("<I", len(cmd)) + cmd + b"ios\nsystem\n.")

# ---- stand-in torch modules so CPython pickles exactly what torch.save pickles
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
torch._utils = torch_utils


def _rebuild_tensor_v2(*args):
    raise AssertionError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


def storage_class(name):
    cls = type(name, (), {})
    cls.__module__ = "torch"
    setattr(torch, name, cls)
    return cls


FloatStorage = storage_class("FloatStorage")
HalfStorage = storage_class("HalfStorage")
LongStorage = storage_class("LongStorage")


class Storage:
    def __init__(self, key, cls, fmt, values):
        self.key, self.cls, self.fmt, self.values = key, cls, fmt, values

    def raw(self, endian="<"):
        return struct.pack(endian + self.fmt * len(self.values), *self.values)


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2, (self.storage, self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))


class TorchPickler(pickle.Pickler):
    def __init__(self, f, legacy):
        super().__init__(f, protocol=2)
        self.legacy = legacy

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            pid = ("storage", obj.cls, obj.key, "cpu", len(obj.values))
            return pid + (None,) if self.legacy else pid
        return None


# storage "0": float32 0..11; "1": float16 [0.5, -2, 1024, 0.25]; "2": int64 [-3, 7, 1<<40]
s0 = Storage("0", FloatStorage, "f", [float(i) for i in range(12)])
s1 = Storage("1", HalfStorage, "e", [0.5, -2.0, 1024.0, 0.25])
s2 = Storage("2", LongStorage, "q", [-3, 7, 1 << 40])
sd = collections.OrderedDict()
sd["model.layers.0.mlp.up_proj.weight"] = Tensor(s0, 0, [3, 4], [4, 1])       # contiguous 3x4
sd["model.layers.0.mlp.down_proj.weight"] = Tensor(s0, 0, [4, 3], [1, 4])     # its transpose
sd["model.norm.weight"] = Tensor(s0, 8, [4], [1])                              # shared, offset 8
sd["model.embed_tokens.weight"] = Tensor(s1, 0, [2, 2], [2, 1])
sd["position_ids"] = Tensor(s2, 0, [3], [1])
sd._metadata = collections.OrderedDict([("", {"version": 1})])
wrapped = {"epoch": 4, "state_dict": sd, "optimizer": {"lr": 0.1}}


def zip_checkpoint(obj, storages):
    buf = io.BytesIO()
    p = io.BytesIO()
    TorchPickler(p, legacy=False).dump(obj)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("fake_torch/data.pkl", p.getvalue())
        z.writestr("fake_torch/byteorder", "little")
        for s in storages:
            z.writestr("fake_torch/data/" + s.key, s.raw())
        z.writestr("fake_torch/version", "3\n")
    return buf.getvalue()


def legacy_checkpoint(obj, storages):
    out = io.BytesIO()
    pickle.dump(0x1950A86A20F9469CFC6C, out, protocol=2)
    pickle.dump(1001, out, protocol=2)
    pickle.dump({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, out, protocol=2)
    TorchPickler(out, legacy=True).dump(obj)
    pickle.dump([s.key for s in storages], out, protocol=2)
    for s in storages:
        out.write(struct.pack("<q", len(s.values)))
        out.write(s.raw())
    return out.getvalue()


storages = [s0, s1, s2]
write("fake_torch_zip.pt", zip_checkpoint(wrapped, storages))
write("fake_torch_legacy.pt", legacy_checkpoint(wrapped, storages))
print("written to", os.path.normpath(OUT))
