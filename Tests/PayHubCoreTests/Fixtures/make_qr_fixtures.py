#!/usr/bin/env python3
"""Regenerates the QR code fixtures of QRCodeTests.swift with segno (pip install segno), the reference encoder.

    python3 Tests/PayHubCoreTests/Fixtures/make_qr_fixtures.py

Writes into Fixtures/QR/:
  - forced-*.txt: one symbol each, version, level and mask forced. The first line is JSON
    {"text", "version", "error", "mask"}; then one line per row of modules, 1 dark, 0 light, no quiet zone.
  - automatic.json: the version and mask segno picks by itself for many texts and levels.
Always byte mode, UTF-8, no ECI, no error level boost, never Micro QR: what QRCode.encode does.

segno 1.6.6 deviates from ISO/IEC 18004 twice; both are patched below, everything else is segno's own code:
  1. §7.4.10: when the bit stream already ends on a codeword boundary it still appends 8 zero bits, i.e. a 0x00
     codeword before the 0xEC/0x11 pad codewords (https://github.com/heuer/segno/issues/148). Byte mode always ends
     on a boundary after a full terminator (4 + 8 or 16 + 8n + 4 bits), so nearly every symbol would differ.
  2. §7.8.3.1 penalty N3: after counting a 1011101 pattern, segno resumes the search after it, so a pattern sharing
     its last dark module with the next one (a data 1011101 ending where a finder row starts) counts once, not twice.
     The standard scores each occurrence, as ZXing does; the patch recounts N3 that way and keeps segno's N1, N2, N4.
     This changes the chosen mask for 2 of the automatic cases.
segno scores the masks before drawing the format and version information (light at that time), which follows the
order of the encoding steps in §7.1; QRCode does the same.
"""
import json
import pathlib
import random

import segno
from segno import encoder


def write_padding_bits(buff, version, length):
    """segno's function with the fix of issue 148: zero bits up to the next codeword boundary, none if already on it."""
    buff.extend([0] * (-length % 8))


FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1))


def finder_like_penalty(line):
    """40 for every 1011101 with four light modules before or after it, outside the symbol counting as light."""
    return 40 * sum(1 for k in range(len(line) - 6) if bytes(line[k:k + 7]) == FINDER_LIKE
                    and (not any(line[max(k - 4, 0):k]) or not any(line[k + 7:k + 11])))


def evaluate_mask(matrix, width, height):
    """segno's N1 + N2 + N4, and N3 counting every occurrence."""
    n1, n2, _, n4 = encoder.mask_scores(matrix, width, height)
    columns = [bytes(matrix[y][x] for y in range(height)) for x in range(width)]
    return n1 + n2 + n4 + sum(finder_like_penalty(line) for line in list(matrix) + columns)


assert {"write_padding_bits"} <= set(encoder._encode.__code__.co_names), "segno still pads through this function"
assert {"evaluate_mask"} <= set(encoder.find_and_apply_best_mask.__code__.co_names), "and scores through this one"
encoder.write_padding_bits = write_padding_bits
encoder.evaluate_mask = evaluate_mask

OUT = pathlib.Path(__file__).resolve().parent / "QR"
SANDBOX = "payhub-sandbox://pay/sbx_py_qr_a_1796137175021_P5ZESEL5XSk9mIXc"


def make(text, error, version=None, mask=None):
    return segno.make_qr(text, error=error, version=version, mask=mask, mode="byte",
                         encoding="utf-8", eci=False, boost_error=False)


def texts_of(rng, count, alphabet, longest):
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(count)]


# (name, text, version, error, mask): every mask, every level, versions with one and several block sizes,
# version information (7+), the 16-bit count (10+), the irregular alignment spacing of 32, the largest symbol.
rng = random.Random(18004)
FORCED = [(f"v05-M-mask{mask}", SANDBOX, 5, "M", mask) for mask in range(8)] + [
    ("v01-L-empty", "", 1, "L", 2),
    ("v01-H-full", "x" * 7, 1, "H", 5),
    ("v03-Q-utf8", "pay €12,50 — café", 3, "Q", 6),
    ("v05-H-bigger-than-needed", "A", 5, "H", 1),
    ("v07-L", "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789/:.") for _ in range(150)), 7, "L", 4),
    ("v09-Q-full", "".join(chr(rng.randint(32, 126)) for _ in range(130)), 9, "Q", 7),
    ("v10-M", "".join(chr(rng.randint(32, 126)) for _ in range(200)), 10, "M", 0),
    ("v14-H", "é" * 90, 14, "H", 3),
    ("v21-Q", "".join(chr(rng.randint(32, 0x2FF)) for _ in range(200)), 21, "Q", 2),
    ("v32-L", "".join(chr(rng.randint(32, 126)) for _ in range(1000)), 32, "L", 6),
    ("v40-M-full", "".join(chr(rng.randint(32, 126)) for _ in range(2331)), 40, "M", 5),
]

AUTOMATIC_TEXTS = (
    [SANDBOX, "", "a", "https://payhub.example/checkout/cs_123", "pay €12,50 — café", "00020101021129370016"]
    + texts_of(rng, 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/:.?=&", 120)
    + texts_of(rng, 10, "€éàçñ漢字🙂 ", 60)
    + texts_of(rng, 6, "0123456789ABCDEF", 900)
)


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("forced-*.txt"):
        old.unlink()
    for name, text, version, error, mask in FORCED:
        qr = make(text, error, version, mask)
        assert (qr.version, qr.error, qr.mask) == (version, error, mask), name
        header = json.dumps({"text": text, "version": version, "error": error, "mask": mask}, ensure_ascii=True)
        rows = ["".join(str(bit) for bit in row) for row in qr.matrix]
        (OUT / f"forced-{name}.txt").write_text(header + "\n" + "\n".join(rows) + "\n")
    automatic = []
    for text in AUTOMATIC_TEXTS:
        for error in "LMQH":
            qr = make(text, error)
            automatic.append({"text": text, "error": error, "version": qr.version, "mask": qr.mask})
    lines = ",\n".join(json.dumps(entry, ensure_ascii=True) for entry in automatic)
    (OUT / "automatic.json").write_text("[\n" + lines + "\n]\n")


if __name__ == "__main__":
    main()
