/**
 * A fresh DICOM UID under the UUID-derived root 2.25 (PS3.5 §B.2): "2.25." + a random 128-bit
 * integer in decimal. dcmjs's own uid() can exceed 128 bits, which validators flag.
 */
export function newUid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4 UUID bits, as ISO/IEC 9834-8 expects
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString()}`;
}
