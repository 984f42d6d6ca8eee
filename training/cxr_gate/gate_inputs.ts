// npx tsx training/cxr_gate/gate_inputs.ts LIST OUT_PREFIX [SIZE]
// The input gate's evaluation images exactly as the app prepares them: each file of LIST (one
// "<group>\t<path>" a line; DICOM, PNG or JPEG, every frame) -> MedicalImage (src/core/ingest) -> the CXR
// 8-bit grey rendering (cxrGray8) -> area resize to SIZE x SIZE (default 64). Writes OUT_PREFIX.f32
// (N x SIZE x SIZE float32, 0..255, not normalised) and OUT_PREFIX.json ([{group, file, frame}]), so
// training/cxr_gate/train.py scores DICOM and 16-bit inputs without re-implementing the DICOM pipeline.
import { readFileSync, writeFileSync } from 'node:fs';
import { cxrGray8 } from '../../src/core/analyses/cxr/cxrPreprocess.ts';
import { areaResize } from '../../src/core/imageOps/areaResize.ts';
import { resizeBilinear } from '../../src/core/imageOps/resizeBilinear.ts';
import { loadImages } from '../../src/core/ingest/loadImages.ts';

const [listFile, outPrefix, sizeArg] = process.argv.slice(2);
if (!listFile || !outPrefix) throw new Error('usage: gate_inputs.ts LIST OUT_PREFIX [SIZE]');
const size = Number(sizeArg ?? 64);
const index: { group: string; file: string; frame: number }[] = [];
const chunks: Float32Array[] = [];
for (const line of readFileSync(listFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [group, file] = line.split('\t');
  let frame = 0;
  for await (const image of loadImages(new Uint8Array(readFileSync(file)), file)) {
    const gray = cxrGray8(image);
    // as modelInput's "area" resize: pool when shrinking, bilinear when the image is smaller
    const r = gray.width >= size && gray.height >= size ? areaResize(gray, size, size) : resizeBilinear(gray, size, size);
    chunks.push(r.data);
    index.push({ group, file, frame: frame++ });
  }
}
const all = new Float32Array(chunks.length * size * size);
chunks.forEach((c, i) => all.set(c, i * size * size));
writeFileSync(`${outPrefix}.f32`, new Uint8Array(all.buffer));
writeFileSync(`${outPrefix}.json`, JSON.stringify(index));
console.log(`${index.length} images -> ${outPrefix}.f32`);
