import { describe, expect, it } from 'vitest';
import { parseDicom } from './parseDicom.ts';
import { readImageHeader } from './readHeader.ts';
import { decodeFrame } from './decodeFrame.ts';
import { writeSyntheticCtSlice } from './testing/writeSyntheticCtSlice.ts';

describe('parseDicom', () => {
  it('reads a raw data set without preamble and meta header (explicit VR LE guessed)', async () => {
    const part10 = writeSyntheticCtSlice({ rows: 4, columns: 4, instanceNumber: 7 });
    const groupLength = new DataView(part10.buffer).getUint32(132 + 8, true);
    const raw = part10.subarray(132 + 12 + groupLength);
    const parsed = parseDicom(raw);
    expect(parsed.transferSyntax).toBe('1.2.840.10008.1.2.1');
    const header = readImageHeader(parsed);
    expect(header.instanceNumber).toBe(7);
    const image = await decodeFrame(parsed, header, 0, 'raw');
    expect(image.pixels).toHaveLength(16);
  });

  it('names short files and out-of-range frames', async () => {
    expect(() => parseDicom(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'not-dicom' }));
    const parsed = parseDicom(writeSyntheticCtSlice({ rows: 4, columns: 4 }));
    await expect(decodeFrame(parsed, readImageHeader(parsed), 1, 'x')).rejects.toMatchObject({ code: 'decode-failed' });
  });

  it('recognises a CMS-encrypted (Secure DICOM) file', () => {
    const envelope = new Uint8Array(200);
    envelope.set([0x30, 0x82, 0x01, 0x00, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03]);
    expect(() => parseDicom(envelope)).toThrow(expect.objectContaining({ code: 'encrypted' }));
  });
});
