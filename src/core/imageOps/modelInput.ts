/**
 * An 8-bit grey image -> the tensor a model's manifest `input` asks for (transformers.js-style: the
 * processor is built from the model's config, here its manifest entry): crop (`none` or the caller's
 * `lung-box`, or `letterbox`), resize to `height` x `width` (`bilinear-half-pixel`, `area` when
 * downscaling, `none`), intensity `x = (v * scale - mean) / std`, `layout` and `channels` (grey is
 * replicated). The placement maps the input grid back to the source image for masks and boxes.
 */
import type { InputSpec } from '../runtime/manifest.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { areaResize } from './areaResize.ts';
import { cropRaster } from './crop.ts';
import { letterbox } from './letterbox.ts';
import { normalizeToTensor } from './normalize.ts';
import { stretchPlacement, type Placement } from './placement.ts';
import type { Raster, Rect } from './raster.ts';
import { resizeBilinear } from './resizeBilinear.ts';

export interface ModelInput {
  tensor: Tensor;
  /** The resized 8-bit image the tensor was made from (previews, card images). */
  raster: Raster;
  placement: Placement;
}

function resized(src: Raster, input: InputSpec): Raster {
  const { width: w, height: h } = input;
  switch (input.resize) {
    case 'bilinear-half-pixel':
      return resizeBilinear(src, w, h);
    // Area pooling only shrinks; an image smaller than the model is upscaled bilinearly.
    case 'area':
      return src.width >= w && src.height >= h ? areaResize(src, w, h) : resizeBilinear(src, w, h);
    case 'none':
      if (src.width !== w || src.height !== h) throw new Error(`input.resize "none" needs a ${w}x${h} image, got ${src.width}x${src.height}`);
      return src;
  }
}

/** `cropBox` is required (and only used) when `input.crop` is `lung-box`. */
export function modelInput(gray: Raster, input: InputSpec, cropBox?: Rect): ModelInput {
  let raster: Raster;
  let placement: Placement;
  if (input.crop === 'letterbox') {
    if (input.resize !== 'bilinear-half-pixel') throw new Error(`input.crop "letterbox" resizes bilinearly, not "${input.resize}"`);
    ({ raster, placement } = letterbox(gray, input.width, input.height));
  } else if (input.crop === 'lung-box') {
    if (!cropBox) throw new Error('input.crop "lung-box" needs the lung box');
    raster = resized(cropRaster(gray, cropBox), input);
    placement = {
      sourceWidth: gray.width, sourceHeight: gray.height, inputWidth: input.width, inputHeight: input.height,
      from: { ...cropBox }, to: { x: 0, y: 0, w: input.width, h: input.height },
    };
  } else {
    raster = resized(gray, input);
    placement = stretchPlacement(gray.width, gray.height, input.width, input.height);
  }
  return { tensor: normalizeToTensor(raster, input.intensity, input.layout, input.channels), raster, placement };
}
