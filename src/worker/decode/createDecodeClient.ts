import type { DecodeClient } from './decodeClient.ts';

export function createDecodeClient(): DecodeClient {
  throw new Error('createDecodeClient: implementation in progress');
}
