/**
 * Huffman-coded bit stream of a JPEG scan (ITU-T T.81 F.2.2.3, F.2.2.5), for the lossless
 * decoder. Byte stuffing (FF 00) is undone; at a marker (FF xx) or the end of the data the
 * reader stops and supplies zero bits, counting them, so a code that reaches past the real
 * data is reported as a truncated stream instead of being decoded from invented bits. A code
 * that ends exactly on the byte before a marker is real data (the library used before
 * treated that case as "marker reached" and lost the last pixel of a scan).
 */

/** 16-bit peek table: entry = codeLength << 8 | value, 0 for a bit pattern no code starts. */
export type HuffmanLookup = Uint32Array;

/** Builds the lookup from a DHT table's 16 code counts and its values (T.81 C.2, Annex C). */
export function buildHuffmanLookup(counts: ArrayLike<number>, values: ArrayLike<number>): HuffmanLookup {
  const table = new Uint32Array(1 << 16);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < counts[length - 1]; i++) {
      if (k >= values.length) throw new Error('Huffman table lists more codes than values');
      if (code >= 1 << length) throw new Error('Huffman table has more codes than its lengths allow');
      const first = code << (16 - length);
      table.fill((length << 8) | values[k++], first, first + (1 << (16 - length)));
      code++;
    }
    code <<= 1;
  }
  return table;
}

export class JpegEntropyReader {
  private acc = 0;
  private bits = 0;
  /** Zero bits supplied past the real data; they sit at the low end of `acc`. */
  private phantom = 0;
  /** True once a code or value was read from beyond the real data. */
  overrun = false;

  constructor(private readonly data: Uint8Array, public pos: number) {}

  private fill(): void {
    while (this.bits <= 24) {
      let byte = 0;
      const pos = this.pos;
      if (pos < this.data.length && this.data[pos] !== 0xff) {
        byte = this.data[pos];
        this.pos = pos + 1;
      } else if (pos + 1 < this.data.length && this.data[pos] === 0xff && this.data[pos + 1] === 0x00) {
        byte = 0xff;
        this.pos = pos + 2;
      } else {
        this.phantom += 8; // marker or end of data: do not move past it
      }
      this.acc = (this.acc << 8) | byte;
      this.bits += 8;
    }
  }

  private consume(n: number): void {
    this.bits -= n;
    if (this.phantom > this.bits) {
      this.overrun = true;
      this.phantom = this.bits;
    }
  }

  /** The next Huffman-coded value (T.81 F.2.2.3). */
  decodeHuffman(table: HuffmanLookup): number {
    if (this.bits < 16) this.fill();
    const entry = table[(this.acc >>> (this.bits - 16)) & 0xffff];
    if (entry === 0) throw new Error('invalid Huffman code in the JPEG lossless stream');
    this.consume(entry >>> 8);
    return entry & 0xff;
  }

  /** The difference coded by category `ssss` (T.81 H.1.2.2, Table H.2; 16 means 32768, no extra bits). */
  receiveDifference(ssss: number): number {
    if (ssss === 0) return 0;
    if (ssss === 16) return 32768;
    if (this.bits < ssss) this.fill();
    const v = (this.acc >>> (this.bits - ssss)) & ((1 << ssss) - 1);
    this.consume(ssss);
    return v < 1 << (ssss - 1) ? v - (1 << ssss) + 1 : v;
  }

  /**
   * At the end of a restart interval: drops the padding bits and steps over the RSTn marker.
   * Returns false when no RST marker follows.
   */
  restart(): boolean {
    this.acc = 0;
    this.bits = 0;
    this.phantom = 0;
    const d = this.data;
    let p = this.pos;
    while (p + 1 < d.length && !(d[p] === 0xff && d[p + 1] >= 0xd0 && d[p + 1] <= 0xd7)) p++;
    if (p + 1 >= d.length) return false;
    this.pos = p + 2;
    return true;
  }
}
