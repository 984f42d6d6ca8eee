/**
 * The few binary-mask operations the CT lung finder needs, on row-major 0/1 Uint8Arrays.
 * Square structuring elements (separable, O(n) per radius) keep them cheap on 512x512 slices.
 */

/** Pixels of `mask` that are 4-connected to the image border (flood fill from every border pixel). */
export function borderConnected(mask: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  const stack: number[] = [];
  const seed = (i: number): void => {
    if (mask[i] && !out[i]) {
      out[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    seed((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    seed(y * width);
    seed(y * width + width - 1);
  }
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width;
    if (x > 0) seed(i - 1);
    if (x < width - 1) seed(i + 1);
    if (i >= width) seed(i - width);
    if (i < (height - 1) * width) seed(i + width);
  }
  return out;
}

/** Fills holes: background pixels not 4-connected to the border become foreground. */
export function fillHoles(mask: Uint8Array, width: number, height: number): Uint8Array {
  const bg = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) bg[i] = mask[i] ? 0 : 1;
  const outside = borderConnected(bg, width, height);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] || !outside[i] ? 1 : 0;
  return out;
}

/** Dilation (max) or erosion (min) with a (2r+1)x(2r+1) square; pixels beyond the border count as 0. */
function rankFilter(mask: Uint8Array, width: number, height: number, r: number, dilate: boolean): Uint8Array {
  const tmp = new Uint8Array(mask.length);
  const out = new Uint8Array(mask.length);
  // horizontal pass then vertical pass, each a running count of foreground pixels in the window
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let count = 0;
    for (let x = 0; x < Math.min(r, width); x++) count += mask[row + x];
    for (let x = 0; x < width; x++) {
      if (x + r < width) count += mask[row + x + r];
      if (x - r - 1 >= 0) count -= mask[row + x - r - 1];
      const span = Math.min(x + r, width - 1) - Math.max(x - r, 0) + 1;
      tmp[row + x] = dilate ? (count > 0 ? 1 : 0) : count === span && span === 2 * r + 1 ? 1 : 0;
    }
  }
  for (let x = 0; x < width; x++) {
    let count = 0;
    for (let y = 0; y < Math.min(r, height); y++) count += tmp[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + r < height) count += tmp[(y + r) * width + x];
      if (y - r - 1 >= 0) count -= tmp[(y - r - 1) * width + x];
      const span = Math.min(y + r, height - 1) - Math.max(y - r, 0) + 1;
      out[y * width + x] = dilate ? (count > 0 ? 1 : 0) : count === span && span === 2 * r + 1 ? 1 : 0;
    }
  }
  return out;
}

export function dilate(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  return r <= 0 ? mask.slice() : rankFilter(mask, width, height, r, true);
}

export function erode(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  return r <= 0 ? mask.slice() : rankFilter(mask, width, height, r, false);
}

/**
 * Closing (dilate then erode). Erosion treats the outside as background, so the mask is padded by r first
 * to keep objects touching the border from being eaten.
 */
export function close(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  if (r <= 0) return mask.slice();
  const pw = width + 2 * r, ph = height + 2 * r;
  const padded = new Uint8Array(pw * ph);
  for (let y = 0; y < height; y++) padded.set(mask.subarray(y * width, (y + 1) * width), (y + r) * pw + r);
  const closed = erode(dilate(padded, pw, ph, r), pw, ph, r);
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) out.set(closed.subarray((y + r) * pw + r, (y + r) * pw + r + width), y * width);
  return out;
}
