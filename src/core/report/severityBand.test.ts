import { describe, expect, it } from 'vitest';
import { severityBand } from './severityBand.ts';

describe('severityBand', () => {
  it('maps the band edges as the definition says', () => {
    expect(severityBand(0).score).toBe(0);
    expect(severityBand(4.9).score).toBe(1);
    expect(severityBand(5).score).toBe(2);
    expect(severityBand(25).score).toBe(2);
    expect(severityBand(25.1).score).toBe(3);
    expect(severityBand(50).score).toBe(3);
    expect(severityBand(75).score).toBe(4);
    expect(severityBand(75.1).score).toBe(5);
  });
});
