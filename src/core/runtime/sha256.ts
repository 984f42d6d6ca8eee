/** SHA-256 hex digest via WebCrypto: `crypto.subtle` exists in browsers, workers and Node >= 19 as a global. */
export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) unavailable: the page must be served over https or localhost');
  const digest = await subtle.digest('SHA-256', data as BufferSource);
  const bytes = new Uint8Array(digest);
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
