/**
 * The text lines of an uncompressed PDF as pdfkit writes it (`compress: false`): the hex strings
 * of its `TJ` operators, decoded through the embedded font's ToUnicode map when it has one (an
 * embedded TrueType font writes glyph ids, two bytes each), else as Latin-1 bytes (the built-in
 * fonts). A ligature's glyph (`fi`) maps to its letters. Enough to read our own invoices in tests; not a general PDF reader.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const glyphs = toUnicodeMap(raw);
  const out: string[] = [];
  for (const m of raw.matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    let line = '';
    for (const h of m[1]!.matchAll(/<([0-9a-fA-F]+)>/g)) {
      const hex = h[1]!;
      if (!glyphs) line += Buffer.from(hex, 'hex').toString('latin1');
      else for (let i = 0; i < hex.length; i += 4) line += glyphs.get(parseInt(hex.slice(i, i + 4), 16)) ?? '\uFFFD';
    }
    out.push(line);
  }
  return out.join('\n');
}

/** glyph id → text, from the `bfrange` arrays and `bfchar` pairs of the ToUnicode CMap(s) */
function toUnicodeMap(raw: string): Map<number, string> | undefined {
  const map = new Map<number, string>();
  const utf16 = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex').swap16().toString('utf16le');
  for (const block of raw.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const r of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const from = parseInt(r[1]!, 16);
      const to = parseInt(r[2]!, 16);
      if (r[3]!.startsWith('[')) [...r[3]!.matchAll(/<([0-9a-fA-F\s]+)>/g)].forEach((d, i) => map.set(from + i, utf16(d[1]!)));
      else {
        const first = parseInt(r[3]!.slice(1, -1), 16);
        for (let g = from; g <= to; g++) map.set(g, String.fromCodePoint(first + g - from));
      }
    }
  }
  for (const block of raw.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const c of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(c[1]!, 16), utf16(c[2]!));
  }
  return map.size ? map : undefined;
}
