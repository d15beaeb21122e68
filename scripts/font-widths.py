#!/usr/bin/env python3
"""Prints the advance-width table of src/render/text.rs.

Usage: python3 scripts/font-widths.py [FONT.ttf] > table.rs.txt

Needs fontTools (PyPI `fonttools`) and Liberation Sans Regular (Debian `fonts-liberation`,
file LiberationSans-Regular.ttf). Prints Rust: the font's units per em and one advance width
per character from U+0020 to U+00FF (0 for the C1 controls U+007F..U+009F, which are never
drawn). Paste the output over the table in text.rs.
"""
import sys

from fontTools.ttLib import TTFont

path = sys.argv[1] if len(sys.argv) > 1 else "LiberationSans-Regular.ttf"
font = TTFont(path)
cmap = font.getBestCmap()
hmtx = font["hmtx"]
upem = font["head"].unitsPerEm
name = font["name"].getDebugName(4)

widths = []
for cp in range(0x20, 0x100):
    if 0x7F <= cp <= 0x9F or cp not in cmap:
        widths.append(0)
    else:
        widths.append(hmtx[cmap[cp]][0])

print(f"// {name}, {upem} units per em; U+0020..=U+00FF.")
print(f"const UNITS_PER_EM: f64 = {upem}.0;")
print("#[rustfmt::skip]")
print(f"const ADVANCE: [u16; {len(widths)}] = [")
for i in range(0, len(widths), 16):
    row = ", ".join(f"{w}" for w in widths[i:i + 16])
    print(f"    {row}, // U+{0x20 + i:04X}")
print("];")
