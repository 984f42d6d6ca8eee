"""Model-card (CARD.md) helpers: markdown tables and writing the card."""
from __future__ import annotations

import os


def md_table(headers: list[str], rows: list[list[object]]) -> str:
    def cell(v: object) -> str:
        return f'{v:.3f}' if isinstance(v, float) else str(v)
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '---|' * len(headers)]
    lines += ['| ' + ' | '.join(cell(v) for v in r) + ' |' for r in rows]
    return '\n'.join(lines)


def write_card(path: str, title: str, sections: list[tuple[str, str]]) -> None:
    """Writes `# title` then one `## heading` + body per section."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    parts = [f'# {title}', '']
    for heading, body in sections:
        parts += [f'## {heading}', '', body.strip(), '']
    with open(path, 'w') as f:
        f.write('\n'.join(parts))
