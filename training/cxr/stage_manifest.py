"""Stages (git index only) models/manifest.json = HEAD's version + this worktree's CXR entries, so a commit
of the CXR entries never carries a teammate's uncommitted entries. Usage: python3 training/cxr/stage_manifest.py"""
import json
import subprocess

head = json.loads(subprocess.run(['git', 'show', 'HEAD:models/manifest.json'], capture_output=True, text=True,
                                 check=True).stdout)
work = json.load(open('models/manifest.json'))
MINE = ('cxr-segmentation', 'cxr-classification', 'cxr-detector-yolo', 'cxr-detector-centernet')
mine = {m['id']: m for m in work['models'] if m['id'] in MINE}
out = [mine.pop(m['id'], m) for m in head['models']]
out += list(mine.values())
head['models'] = out
text = json.dumps(head, indent=2) + '\n'
blob = subprocess.run(['git', 'hash-object', '-w', '--stdin'], input=text, capture_output=True, text=True,
                      check=True).stdout.strip()
subprocess.run(['git', 'update-index', '--cacheinfo', f'100644,{blob},models/manifest.json'], check=True)
print('staged manifest with', [m['id'] for m in out])
