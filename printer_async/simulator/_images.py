"""Small, real pictures for the simulator: PNG thumbnails and JPEG camera frames.

Both are written with the standard library only (``zlib`` and ``struct``), so the simulator needs
no imaging package. They are valid files that any decoder opens, but deliberately simple:

* :func:`png` draws a gradient of the requested size, tinted by a seed, as 8-bit RGB;
* :func:`jpeg` encodes a grey baseline JPEG whose 8x8 blocks are flat (only DC coefficients), with
  a bright bar whose position depends on the frame number, so consecutive frames differ.
"""

from __future__ import annotations

import functools
import struct
import zlib
from typing import Final

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
JPEG_WIDTH: Final = 160
JPEG_HEIGHT: Final = 120

# The standard luminance DC Huffman table (ITU T.81, table K.3): code counts per length, symbols.
_DC_BITS: Final = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_SYMBOLS: Final = tuple(range(12))
# Every block is flat, so the only AC symbol ever written is end-of-block (0x00): one 1-bit code.
_AC_BITS: Final = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_AC_SYMBOLS: Final = (0x00,)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=64)
def png(width: int, height: int, seed: int = 0) -> bytes:
    """Return a ``width`` x ``height`` RGB PNG: red grows left to right, green top to bottom.

    Args:
        width: Pixels, at least 1.
        height: Pixels, at least 1.
        seed: Tints the blue channel, so different files get different pictures.

    Returns:
        The PNG file's bytes.
    """
    blue = seed & 0xFF
    base = bytearray(width * 3)
    base[0::3] = bytes(x * 255 // max(1, width - 1) for x in range(width))
    base[2::3] = bytes([blue]) * width
    rows = bytearray()
    for y in range(height):
        base[1::3] = bytes([y * 255 // max(1, height - 1)]) * width
        rows += b"\x00"  # filter type 0: the row as is
        rows += base
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + _chunk(b"IEND", b"")
    )


def _huffman_codes(bits: tuple[int, ...], symbols: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """Canonical Huffman codes (ITU T.81, annex C): symbol -> (code, length)."""
    codes: dict[int, tuple[int, int]] = {}
    code, index = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[symbols[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


_DC_CODES: Final = _huffman_codes(_DC_BITS, _DC_SYMBOLS)
_EOB_CODE: Final = _huffman_codes(_AC_BITS, _AC_SYMBOLS)[0x00]


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self._acc = 0
        self._count = 0

    def write(self, value: int, length: int) -> None:
        self._acc = (self._acc << length) | (value & ((1 << length) - 1))
        self._count += length
        while self._count >= 8:  # noqa: PLR2004 - bits per byte
            self._count -= 8
            byte = (self._acc >> self._count) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:  # noqa: PLR2004 - a 0xFF in entropy-coded data is stuffed
                self.out.append(0x00)
        self._acc &= (1 << self._count) - 1

    def flush(self) -> bytes:
        if self._count:
            self.write((1 << (8 - self._count)) - 1, 8 - self._count)  # pad with 1 bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _block_level(frame: int, bx: int, by: int, blocks_x: int) -> int:
    bar = frame % blocks_x
    if bx == bar:
        return 235
    return 40 + (bx * 120) // blocks_x + (by * 40) // max(1, JPEG_HEIGHT // 8)


@functools.lru_cache(maxsize=32)
def jpeg(frame: int = 0) -> bytes:
    """Return a grey 160x120 baseline JPEG; the bright bar's column moves with ``frame``.

    Args:
        frame: The frame number.

    Returns:
        The JPEG file's bytes (a little over 300).
    """
    blocks_x, blocks_y = JPEG_WIDTH // 8, JPEG_HEIGHT // 8
    header = b"".join(
        (
            b"\xff\xd8",  # SOI
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xDB, b"\x00" + b"\x01" * 64),  # quantisation table 0: all ones
            _segment(0xC0, struct.pack(">BHHB3B", 8, JPEG_HEIGHT, JPEG_WIDTH, 1, 1, 0x11, 0)),
            _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_SYMBOLS)),
            _segment(0xC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_SYMBOLS)),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),  # one component, tables 0/0
        )
    )
    writer = _BitWriter()
    previous = 0
    for by in range(blocks_y):
        for bx in range(blocks_x):
            # A flat block of level v has the single DCT coefficient 8 * (v - 128).
            dc = 8 * (_block_level(frame, bx, by, blocks_x) - 128)
            diff, previous = dc - previous, dc
            size = abs(diff).bit_length()
            writer.write(*_DC_CODES[size])
            if size:
                writer.write(diff if diff >= 0 else diff + (1 << size) - 1, size)
            writer.write(*_EOB_CODE)
    return header + writer.flush() + b"\xff\xd9"  # EOI
