"""The days from one date to another as an animated GIF or an MP4, one frame per day. No Streamlit here.

Frames come from one animated ``picture.Painter`` (static layers drawn once, the day's blitted over
them) and go to the file one at a time: an MP4 streams into ffmpeg through imageio-ffmpeg (whose
wheel ships the binary), a GIF keeps each frame quantized to its own 256 colours (one byte a pixel,
a third of its RGB size) until Pillow writes them all, so a day whose colours differ from the first
day's is not forced into the first day's palette.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image

from .geocode import Geodata
from .picture import Painter
from .publish import Scene

FORMATS = ("gif", "mp4")
FRAME_SECONDS = 1.0  # one day a second


def even(size: int) -> int:
    """x264's 4:2:0 colour needs even sides: a size is rounded down to one."""
    return max(2, int(size) - int(size) % 2)


def _gif(frames: Iterable[np.ndarray]) -> bytes:
    """Each frame in its own 256 colours (fast octree, no dithering: the map's flat colours stay flat)."""
    images = [
        Image.fromarray(f).quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE) for f in frames
    ]
    if not images:
        raise ValueError("a time-lapse needs at least one day")
    out = io.BytesIO()
    images[0].save(
        out, format="GIF", save_all=True, append_images=images[1:], duration=int(FRAME_SECONDS * 1000), loop=0
    )
    return out.getvalue()


def _mp4(frames: Iterable[np.ndarray], width: int, height: int) -> bytes:
    """H.264 at one frame a second, streamed to ffmpeg frame by frame."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "timelapse.mp4")
        writer = imageio_ffmpeg.write_frames(
            path,
            (width, height),
            fps=1 / FRAME_SECONDS,
            codec="libx264",
            pix_fmt_out="yuv420p",
            macro_block_size=2,
            output_params=["-preset", "veryfast"],
            ffmpeg_log_level="error",
        )
        writer.send(None)
        count = 0
        for frame in frames:
            writer.send(np.ascontiguousarray(frame))
            count += 1
        writer.close()
        if not count:
            raise ValueError("a time-lapse needs at least one day")
        return Path(path).read_bytes()


def timelapse(geodata: Geodata, scenes: Iterable[Scene], fmt: str, width: int = 1600, height: int = 1000) -> bytes:
    """The scenes, a frame each, as ``gif`` or ``mp4`` bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    width, height = even(width), even(height)
    painter = Painter(geodata, width, height, animated=True)
    frames = (painter.frame(scene) for scene in scenes)
    return _gif(frames) if fmt == "gif" else _mp4(frames, width, height)
