import { describe, expect, it } from 'vitest';
import { mermaid, statusReport } from '../../../src/domain/commands/status-report.js';
import { graphOf } from '../../helpers/task-files.js';

describe('statusReport', () => {
  const loaded = graphOf(
    { id: 'a', status: 'completed' },
    { id: 'b', deps: ['a'] },
    { id: 'c', deps: ['a'], status: 'blocked' },
    { id: 'd', deps: ['b', 'c'] },
  );

  it('lists generations, ready, queued, open PRs and blocked tasks', () => {
    const text = statusReport({
      loaded,
      baseBranch: 'main',
      pulls: [
        { number: 4, taskId: 'b', queued: true, reason: '' },
        { number: 5, taskId: 'd', queued: false, reason: 'Waiting for 2 dependencies: b, c' },
      ],
    });
    expect(text).toContain('4 tasks, 1 completed, 0 in progress, 2 pending, 1 blocked, 0 failed');
    expect(text).toContain('1. 1/1 completed: `a`');
    expect(text).toContain('2. 0/2 completed: `b`, `c`');
    expect(text).toContain('**Critical path** (3 tasks): `a` → `b` → `d`');
    expect(text).toContain('**Ready** (1): `b`');
    expect(text).toContain('**Queued** (1): #4 `b`');
    expect(text).toContain('#5 `d` (Waiting for 2 dependencies: b, c)');
    expect(text).toContain('**Blocked or failed** (1): `c`');
  });

  it('warns when the graph has errors', () => {
    const broken = graphOf({ id: 'a', deps: ['zzz'] });
    expect(statusReport({ loaded: broken, baseBranch: 'main', pulls: [] })).toContain(
      'The graph has 1 error(s); nothing merges',
    );
  });
});

describe('mermaid', () => {
  it('draws every dependency edge and one class per status present', () => {
    const text = mermaid(
      graphOf({ id: 'a', status: 'completed' }, { id: 'b"x', deps: ['a'], status: 'in-progress' }),
    );
    expect(text.split('\n')).toEqual([
      '```mermaid',
      'flowchart LR',
      '  t0["a"]',
      '  t1["b#quot;x"]',
      '  t0 --> t1',
      '  classDef completed fill:#2da44e,color:#fff,stroke:#1a7f37',
      '  class t0 completed',
      '  classDef inprogress fill:#0969da,color:#fff,stroke:#0550ae',
      '  class t1 inprogress',
      '```',
    ]);
  });

  it('leaves the diagram out for very large graphs', () => {
    const specs = Array.from({ length: 151 }, (_, i) => ({ id: `t${i}` }));
    expect(mermaid(graphOf(...specs))).toContain('No diagram: 151 tasks');
  });
});
