/**
 * Sizes for byte-bounded caches (lru-cache's `maxSize` + `sizeCalculation`): an estimate of what an
 * entry costs to keep, in bytes. Strings count their UTF-8 length; other values the UTF-8 length of
 * their JSON (what GitHub sent, roughly). Never 0: lru-cache refuses a size below 1.
 */
export function textBytes(text: string): number {
  return Math.max(1, Buffer.byteLength(text, 'utf8'));
}

/** @returns the UTF-8 length of `value`'s JSON, bytes (1 for values JSON cannot hold). */
export function jsonBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 1 : textBytes(json);
}

/** 1 MiB, bytes. */
export const MIB = 1024 * 1024;
