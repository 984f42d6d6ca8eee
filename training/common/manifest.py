"""models/manifest.json entries: file hashes and a read-modify-write of one entry by id."""
from __future__ import annotations

import hashlib
import json
import os

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MODELS_DIR = os.path.join(REPO_ROOT, 'models')
MANIFEST_PATH = os.path.join(MODELS_DIR, 'manifest.json')


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def file_entry(rel_path: str, role: str = 'model', models_dir: str = MODELS_DIR) -> dict:
    """{path, sha256, bytes, role} for a file given relative to models/."""
    full = os.path.join(models_dir, rel_path)
    return {'path': rel_path, 'sha256': sha256_file(full), 'bytes': os.path.getsize(full), 'role': role}


def update_manifest_entry(entry: dict, manifest_path: str = MANIFEST_PATH) -> None:
    """Replaces (or appends) the entry with the same `id`, leaving every other entry untouched.
    Read-modify-write right before writing so a teammate's concurrent edit of another entry survives."""
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    else:
        manifest = {'schemaVersion': 1, 'models': []}
    models = manifest.setdefault('models', [])
    for i, m in enumerate(models):
        if m.get('id') == entry['id']:
            models[i] = entry
            break
    else:
        models.append(entry)
    tmp = manifest_path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    os.replace(tmp, manifest_path)
