"""Tensors handed from the executor to the reference process, as plain files.

The executor runs hostile code, so whatever it writes is read back as data only:
a fixed magic, a JSON header (name, dtype, shape, offset, length per tensor, plus
a small metadata object) and raw little-endian bytes. No pickle, no code. The
reader checks every field against the file's real size before touching a byte.

Why not safetensors: the harness runs in the user's own Python (workstations, SSH
hosts, offline GPU machines) where torch is the only package we may assume; this
format is the same idea (header + raw bytes) in a page of code, and the reader is
as strict as safetensors' own.
"""

import json
import os
import struct

import torch

MAGIC = b"AKGTNSR1"
# A header past this is not something the executor had a reason to write.
MAX_HEADER_BYTES = 1 << 20
DTYPES = {
    "float64": torch.float64,
    "float32": torch.float32,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
    "int32": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}
for _name in ("float8_e4m3fn", "float8_e5m2"):
    if hasattr(torch, _name):
        DTYPES[_name] = getattr(torch, _name)
NAMES = {dtype: name for name, dtype in DTYPES.items()}


class TensorFileError(ValueError):
    """The file is not a well-formed tensor file (missing, truncated, or forged)."""


def write_tensors(path: str, values: list, meta: dict = None) -> None:
    """Write tensors (any device) and a JSON-able metadata object; atomic rename. The bytes go
    from the host copy to the file without another copy (outputs can be gigabytes)."""
    entries, arrays, offset = [], [], 0
    for index, tensor in enumerate(values):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"output {index} is a {type(tensor).__name__}, not a tensor")
        dtype = NAMES.get(tensor.dtype)
        if dtype is None:
            raise TypeError(f"output {index} has dtype {tensor.dtype}, which cannot be handed over")
        host = tensor.detach().to("cpu").contiguous()
        length = host.numel() * host.element_size()
        entries.append({"dtype": dtype, "shape": list(host.shape), "offset": offset, "length": length})
        if length:
            arrays.append(host.reshape(-1).view(torch.uint8).numpy())
        offset += length
    header = json.dumps({"tensors": entries, "meta": meta or {}}).encode()
    temporary = f"{path}.part{os.getpid()}"
    with open(temporary, "wb") as handle:
        handle.write(MAGIC + struct.pack("<Q", len(header)) + header)
        for array in arrays:
            handle.write(memoryview(array))
    os.replace(temporary, path)


def read_tensors(path: str, device="cpu"):
    """(tensors, meta) from a file written by write_tensors; TensorFileError if malformed.
    Each tensor is read straight into its own host buffer (no copy of the whole file)."""
    name = os.path.basename(path)
    try:
        with open(path, "rb", buffering=0) as handle:
            size_of_file = os.fstat(handle.fileno()).st_size
            head = _read_exactly(handle, len(MAGIC) + 8, name) if size_of_file >= len(MAGIC) + 8 else b""
            if head[: len(MAGIC)] != MAGIC:
                raise TensorFileError(f"{name} is not a tensor file")
            (size,) = struct.unpack("<Q", head[len(MAGIC) :])
            start = len(MAGIC) + 8
            if size > MAX_HEADER_BYTES or start + size > size_of_file:
                raise TensorFileError(f"{name} has a header of {size} bytes")
            try:
                header = json.loads(_read_exactly(handle, size, name))
                entries, meta = header["tensors"], header.get("meta") or {}
                if not isinstance(entries, list) or not isinstance(meta, dict):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise TensorFileError(f"{name} has a malformed header") from None
            body = (handle, start + size, size_of_file - start - size, name)
            tensors = [_tensor(entry, body, index, device) for index, entry in enumerate(entries)]
    except OSError as error:
        raise TensorFileError(f"cannot read {name}: {error.strerror}") from None
    return tensors, meta


def _read_exactly(handle, count: int, name: str) -> bytes:
    data = handle.read(count)
    if data is None or len(data) != count:
        raise TensorFileError(f"{name} ended early")
    return data


def _tensor(entry, body, index: int, device) -> torch.Tensor:
    handle, base, body_length, name = body
    try:
        dtype = DTYPES[entry["dtype"]]
        shape = [int(n) for n in entry["shape"]]
        offset, length = int(entry["offset"]), int(entry["length"])
    except (KeyError, TypeError, ValueError):
        raise TensorFileError(f"tensor {index}: malformed entry") from None
    if any(n < 0 for n in shape) or len(shape) > 16:
        raise TensorFileError(f"tensor {index}: shape {shape} is invalid")
    count = 1
    for n in shape:
        count *= n
    itemsize = torch.empty((), dtype=dtype).element_size()
    if length != count * itemsize or offset < 0 or offset + length > body_length:
        raise TensorFileError(
            f"tensor {index}: {length} bytes at {offset} do not hold "
            f"{shape} x {entry['dtype']} inside the file"
        )
    if not count:
        return torch.empty(shape, dtype=dtype, device=device)
    flat = torch.empty(length, dtype=torch.uint8)
    view = memoryview(flat.numpy())
    handle.seek(base + offset)
    done = 0
    while done < length:
        got = handle.readinto(view[done:])
        if not got:
            raise TensorFileError(f"{name} ended early (tensor {index})")
        done += got
    return flat.view(dtype).reshape(shape).to(device)
