/**
 * Headers that contradict themselves or the pixel data are named errors, before decoding: each
 * case of issue 15's fuzz run, on a synthetic slice or a shared sample edited byte by byte.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectBytes } from '../../cli/inspectFile.ts';
import { decodeRasterImage } from '../ingest/rasterImage.ts';
import { readSliceHeaders } from '../ingest/readSliceHeaders.ts';
import { decodeDicomFile } from './decodeDicom.ts';
import { asDicomError, DicomError, thrownText } from './dicomError.ts';
import { MAX_IMAGE_SIDE } from './imageLimits.ts';
import { ascii, concat, deepSequence, encodeElement, findElement, sequenceItem, setElement, setTransferSyntax, uint16Value } from './testing/mutateDicom.ts';
import { writeSyntheticCtSlice } from './testing/writeSyntheticCtSlice.ts';

const good = writeSyntheticCtSlice({ rows: 16, columns: 16 });
const samples = path.resolve(import.meta.dirname, '../../../../shared/data/dicom-samples');
const withSequences = path.join(samples, 'covid19-ny-sbu-ct/A002304_axial_19001231-076.dcm');

/** The error every reader gives: header-only ingestion (app), full decode (analyze), inspect. */
async function expectRejected(bytes: Uint8Array, code: string, message: RegExp): Promise<void> {
  expect(() => readSliceHeaders(bytes)).toThrow(message);
  await expect(decodeDicomFile(bytes, 'x.dcm')).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  const record = await inspectBytes('x.dcm', bytes);
  expect(record.ok).toBe(false);
  expect(record.error).toMatchObject({ code, message: expect.stringMatching(message) });
  expect(record.error!.action.length).toBeGreaterThan(10);
}

const us = (bytes: Uint8Array, element: number, v: number) => setElement(bytes, 0x0028, element, 'US', uint16Value(v));
const is = (bytes: Uint8Array, text: string) => setElement(bytes, 0x0028, 0x0008, 'IS', ascii(text));

describe('header validation', () => {
  it('accepts the unedited slice', async () => {
    expect((await decodeDicomFile(good, 'ok.dcm'))[0].rows).toBe(16);
  });

  it('Bits Allocated 8 or 1 over 16-bit pixel data is an error, not garbage pixels', async () => {
    await expectRejected(us(good, 0x0100, 8), 'invalid-header', /Bits Stored 16 does not fit in Bits Allocated 8/);
    await expectRejected(us(us(good, 0x0100, 8), 0x0101, 8), 'invalid-header', /Pixel Data holds 512 bytes, but the header describes 256/);
    await expectRejected(us(us(good, 0x0100, 1), 0x0101, 1), 'invalid-header', /Pixel Data holds 512 bytes, but the header describes 32/);
    await expectRejected(us(good, 0x0100, 12), 'invalid-header', /Bits Allocated is 12/);
  });

  it('Bits Stored larger than Bits Allocated (or 0) is an error', async () => {
    await expectRejected(us(good, 0x0101, 32), 'invalid-header', /Bits Stored 32 does not fit in Bits Allocated 16/);
    await expectRejected(us(good, 0x0101, 0), 'invalid-header', /Bits Stored 0 does not fit/);
  });

  it('Number of Frames must be a positive whole number that the pixel data holds', async () => {
    await expectRejected(is(good, 'abc'), 'invalid-header', /Number of Frames is "abc"/);
    await expectRejected(is(good, '0'), 'invalid-header', /Number of Frames is "0"/);
    await expectRejected(is(good, '-1'), 'invalid-header', /Number of Frames is "-1"/);
    await expectRejected(is(good, '1000000'), 'invalid-header', /header describes 512000000 .*1000000 frames/);
    expect((await decodeDicomFile(is(good, '1 '), 'x'))[0].numberOfFrames).toBe(1);
  });

  it('Rows or Columns 0 is an error; 65535 is refused before decoding with the stated limit', async () => {
    await expectRejected(us(good, 0x0010, 0), 'invalid-header', /0 pixels|16×0/);
    await expectRejected(us(us(good, 0x0010, 65535), 0x0011, 65535), 'too-large', new RegExp(`up to ${MAX_IMAGE_SIDE} pixels a side`));
  });

  it('pixel data shorter than the header says: cut file = truncated, short element = invalid header', async () => {
    await expectRejected(good.subarray(0, good.length - 100), 'truncated', /truncated/);
    const pixel = findElement(good, 0x7fe0, 0x0010)!;
    const short = setElement(good, 0x7fe0, 0x0010, 'OW', good.subarray(pixel.valueStart, pixel.valueStart + 300));
    await expectRejected(short, 'invalid-header', /Pixel Data holds 300 bytes, but the header describes 512/);
  });

  it('a transfer syntax in the meta header that does not match the body is an error', async () => {
    await expectRejected(setTransferSyntax(good, '1.2.840.10008.1.2'), 'invalid-header', /says Implicit VR Little Endian, but the data set is written with explicit VRs/);
    await expectRejected(setTransferSyntax(good, '1.2.840.10008.1.2.4.70'), 'invalid-header', /JPEG Lossless SV1.*not encapsulated/);
  });

  it('a CT image whose rescale went missing (e.g. swallowed by a broken sequence) is an error', async () => {
    const noIntercept = concat([good.subarray(0, findElement(good, 0x0028, 0x1052)!.start), good.subarray(findElement(good, 0x0028, 0x1052)!.end)]);
    await expectRejected(noIntercept, 'invalid-header', /CT image without a valid Rescale Intercept/);
  });

  it('a sequence whose length was zeroed (its item then read as a top-level element) is an error', async () => {
    const item = sequenceItem(encodeElement(0x0008, 0x1150, 'UI', ascii('1.2.3')));
    expect((await inspectBytes('ok.dcm', setElement(good, 0x0008, 0x1140, 'SQ', item))).ok).toBe(true);
    await expectRejected(setElement(good, 0x0008, 0x1140, 'SQ', item, 0), 'invalid-header', /sequence item \(fffe,e000\) appears outside any sequence/);
  });

  it.skipIf(!existsSync(withSequences))('a zero-length sequence (items then read as top-level elements) is an error, not lost rescale', async () => {
    const seed = new Uint8Array(readFileSync(withSequences));
    const sq = findElement(seed, 0x0008, 0x1032)!;
    expect(sq.vr).toBe('SQ');
    const broken = seed.slice();
    new DataView(broken.buffer).setUint32(sq.start + 8, 0, true); // SQ length: undefined -> 0
    const record = await inspectBytes('x.dcm', broken);
    expect(record.ok).toBe(false);
    expect(record.error!.code).toMatch(/invalid-header|not-dicom|truncated/);
    expect(record.error!.message.length).toBeGreaterThan(20);
  });

  it('sequences nested 10,000 deep are reported as too deep, not as truncated', async () => {
    const deep = concat([good.subarray(0, findElement(good, 0x0028, 0x0002)!.start), deepSequence(0x0008, 0x1140, 10_000),
      good.subarray(findElement(good, 0x0028, 0x0002)!.start)]);
    // The sequence goes before group 0028 only if its tag sorts there: (0008,1140) precedes (0028,0002) but
    // follows (0020,xxxx); the parser does not insist on order, and depth is what this case is about.
    const record = await inspectBytes('deep.dcm', deep);
    expect(record.ok).toBe(false);
    expect(record.error).toMatchObject({ code: 'invalid-header', message: expect.stringMatching(/nested too deeply/) });
  });

  it('every thrown value becomes text: strings (dicomParser), objects, Errors', () => {
    expect(thrownText('dicomParser.readFixedString: attempt to read past end of buffer')).toMatch(/past end/);
    expect(thrownText({ exception: 'inner text', dataSet: {} })).toBe('inner text');
    expect(thrownText(new RangeError('r'))).toBe('r');
    expect(thrownText(undefined)).toBe('undefined');
    const e = asDicomError('a string', 'decode-failed', 'Frame 2: ');
    expect(e).toBeInstanceOf(DicomError);
    expect(e.message).toBe('Frame 2: a string');
  });
});

describe('raster limits', () => {
  it('a 0×0 PNG is an error, not ok', () => {
    const png = pngWithHeader(0, 0);
    expect(() => decodeRasterImage(png, 'empty.png')).toThrow(/0×0 pixels/);
    expect(() => readSliceHeaders(png)).toThrow(/0×0 pixels/);
  });

  it('a 20000×20000 PNG is refused from its header, before any decoding', () => {
    const t0 = performance.now();
    const png = pngWithHeader(20000, 20000);
    expect(() => decodeRasterImage(png, 'huge.png')).toThrow(expect.objectContaining({ code: 'too-large', message: expect.stringMatching(/20000×20000.*up to 16384/) }));
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

/** A PNG signature + IHDR (+ a tiny IDAT + IEND): what a header reader sees. */
function pngWithHeader(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = concat([ascii(type), data]);
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(body, 4);
    v.setUint32(8 + data.length, crc32(body));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grey
  return concat([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(new Uint8Array(1))), chunk('IEND', new Uint8Array(0))]);
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

