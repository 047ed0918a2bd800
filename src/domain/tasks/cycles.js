/**
 * Dependency cycles. Strongly connected components are found with an iterative Tarjan (no recursion,
 * so 50,000-task chains do not overflow the stack); each component with more than one task yields
 * one cycle: the shortest path along `depends_on` edges from its smallest id back to itself.
 */
import { compareStrings } from './graph.js';
/**
 * Finds one cycle per strongly connected component.
 *
 * @returns cycles as id lists in `depends_on` order, starting at the component's smallest id and not
 *   repeating it at the end (`[a, c, b]` means a depends on c, c on b, b on a). Sorted by first id.
 */
export function findCycles(graph) {
  return stronglyConnected(graph)
    .filter((component) => component.length > 1)
    .map((component) => shortestCycle(graph, component))
    .sort((a, b) => compareStrings(a[0] ?? '', b[0] ?? ''));
}
function stronglyConnected(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let counter = 0;
  for (const root of graph.ids) {
    if (index.has(root)) continue;
    const work = [{ id: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const deps = graph.dependencies.get(frame.id) ?? [];
      if (frame.next < deps.length) {
        const dep = deps[frame.next++];
        if (!index.has(dep)) {
          index.set(dep, counter);
          low.set(dep, counter++);
          stack.push(dep);
          onStack.add(dep);
          work.push({ id: dep, next: 0 });
        } else if (onStack.has(dep)) {
          low.set(frame.id, Math.min(low.get(frame.id), index.get(dep)));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id), low.get(frame.id)));
      if (low.get(frame.id) === index.get(frame.id)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        components.push(component);
      }
    }
  }
  return components;
}
function shortestCycle(graph, component) {
  const members = new Set(component);
  const start = [...component].sort(compareStrings)[0];
  const parent = new Map();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const dep of [...(graph.dependencies.get(id) ?? [])].sort(compareStrings)) {
      if (!members.has(dep)) continue;
      if (dep === start) {
        const path = [id];
        for (let at = id; at !== start; ) {
          at = parent.get(at);
          path.push(at);
        }
        return path.reverse();
      }
      if (!parent.has(dep)) {
        parent.set(dep, id);
        queue.push(dep);
      }
    }
  }
  return [start];
}
//# sourceMappingURL=cycles.js.map
