"""Transcripts, digests and hash-to-scalar, written from spec/02-crypto.md alone.

Standard library only.
"""

import hashlib

# spec/02-crypto.md §Ciphersuite: the prime order of G1, G2, GT.
R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001


class Transcript:
    """spec/02-crypto.md §Transcripts: labelled, length-prefixed items after a domain item."""

    def __init__(self, domain: bytes):
        self.data = bytearray()
        self.append(b"domain", domain)

    def append(self, label: bytes, data: bytes) -> None:
        self.data += len(label).to_bytes(4, "big") + label
        self.data += len(data).to_bytes(8, "big") + data

    def append_u64(self, label: bytes, value: int) -> None:
        self.append(label, u64_be(value))

    def digest(self) -> bytes:
        return hashlib.sha256(bytes(self.data)).digest()

    def challenge(self, dst: bytes) -> int:
        return hash_to_scalar(dst, bytes(self.data))


def u64_be(value: int) -> bytes:
    return value.to_bytes(8, "big")


def le32(scalar: int) -> bytes:
    """A scalar as 32 little-endian bytes (canonical: below R)."""
    if not 0 <= scalar < R:
        raise ValueError("scalar not canonical")
    return scalar.to_bytes(32, "little")


def expand_message_xmd(msg: bytes, dst: bytes, length: int, z_pad_len: int) -> bytes:
    """expand_message_xmd with SHA-256 (RFC 9380 §5.3.1) with a Z_pad of `z_pad_len` zero bytes.

    RFC 9380 uses 64 (SHA-256's block size); NetNym's hash_to_scalar uses 48 (spec/02-crypto.md,
    implementation note on §Hash to scalar).
    """
    if len(dst) > 255:
        raise ValueError("DST longer than 255 bytes")
    dst_prime = dst + bytes([len(dst)])
    ell = (length + 31) // 32
    if ell > 255 or length >= 1 << 16:
        raise ValueError("requested length too large")
    b0 = hashlib.sha256(
        bytes(z_pad_len) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime
    ).digest()
    b = hashlib.sha256(b0 + b"\x01" + dst_prime).digest()
    out = bytearray(b)
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, b))
        b = hashlib.sha256(mixed + bytes([i]) + dst_prime).digest()
        out += b
    return bytes(out[:length])


def hash_to_scalar(dst: bytes, msg: bytes) -> int:
    """spec/02-crypto.md §Hash to scalar: 48 uniform bytes, Z_pad of 48 bytes, big-endian mod r."""
    uniform = expand_message_xmd(msg, dst, 48, 48)
    return int.from_bytes(uniform, "big") % R
