import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The training side's own unit tests (Python unittest), run with the suite so the code behind the cards' numbers
 * is checked on every run, not only by hand. The mAP / WBF / decode checks need NumPy only (installed by
 * .ci/run with pydicom); the shared ship step needs PyTorch and onnx, which CI does not install (trainings never
 * run there), so it runs where they are present, e.g. the training machine.
 */
const repoRoot = path.resolve(__dirname, '..');
const python = '/usr/bin/python3';

const has = (modules: string) => spawnSync(python, ['-c', `import ${modules}`]).status === 0;

function unittest(file: string): void {
  const r = spawnSync(python, ['-m', 'unittest', file], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  // unittest reports on stderr; "OK" closes a run where every test passed
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/^OK/m);
}

describe('training unit tests (Python)', () => {
  it('detector decode, NMS, WBF and mAP (training/cxr/test_det_post.py)', () => {
    unittest('training/cxr/test_det_post.py');
  });

  it.skipIf(!has('torch, onnx'))('the shared ship step: int8 budget, refusal, keep-float retry (training/common/test_ship.py)', () => {
    unittest('training/common/test_ship.py');
  });
});
