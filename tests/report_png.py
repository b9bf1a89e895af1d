"""Just enough PNG decoding (8-bit RGB/RGBA, not interlaced, as Chromium writes) to look at pixels.

Dependency-free on purpose: the report tests must not need an imaging library to read a screenshot.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Picture:
    """Decoded pixels: `rows[y]` holds `width * channels` bytes, channels 3 (RGB) or 4 (RGBA)."""

    width: int
    height: int
    channels: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> Colour:
        start = x * self.channels
        red, green, blue = self.rows[y][start : start + 3]
        return red, green, blue

    def colours(self) -> Iterator[bytes]:
        for line in self.rows:
            for start in range(0, len(line), self.channels):
                yield line[start : start + 3]


def hex_colour(text: str) -> Colour:
    """'#1f77b4' -> (31, 119, 180)."""
    value = text.removeprefix("#")
    if len(value) != 6:
        raise ValueError(f"not a #rrggbb colour: {text!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _unfilter(kind: int, line: bytearray, previous: bytes, pixel: int) -> bytearray:
    """Undo one scanline's filter (PNG spec 9.2); each loop is kept tight: a screenshot has megabytes."""
    stride = len(line)
    if kind == 1:
        for i in range(pixel, stride):
            line[i] = (line[i] + line[i - pixel]) & 0xFF
    elif kind == 2:
        for i in range(stride):
            line[i] = (line[i] + previous[i]) & 0xFF
    elif kind == 3:
        for i in range(stride):
            left = line[i - pixel] if i >= pixel else 0
            line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(min(pixel, stride)):  # no left neighbours: the predictor is the byte above
            line[i] = (line[i] + previous[i]) & 0xFF
        for i in range(pixel, stride):
            left, up, up_left = line[i - pixel], previous[i], previous[i - pixel]
            to_left, to_up, to_up_left = abs(up - up_left), abs(left - up_left), abs(left + up - 2 * up_left)
            if to_left <= to_up and to_left <= to_up_left:
                predictor = left
            elif to_up <= to_up_left:
                predictor = up
            else:
                predictor = up_left
            line[i] = (line[i] + predictor) & 0xFF
    elif kind != 0:
        raise ValueError(f"unknown PNG filter type {kind}")
    return line


def decode(path: Path) -> Picture:
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    position, idat = 8, b""
    width = height = pixel = 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour_type not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG layout in {path}")
            pixel = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * pixel
    previous = bytes(stride)
    rows = []
    for row in range(height):
        start = row * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1 : start + 1 + stride]), previous, pixel)
        previous = bytes(line)
        rows.append(previous)
    return Picture(width=width, height=height, channels=pixel, rows=rows)


def distinct_colours(path: Path) -> int:
    return len(set(decode(path).colours()))
