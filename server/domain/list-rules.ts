// How long lists page: the sizes a clerk may choose, and how far a jump may skip by offset.

/** Rows per page a list offers (the pager's choice); the first list size is the smallest. */
export const PAGE_SIZES = [20, 50, 100] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 50;

/**
 * The most rows a jump to a page may skip. Keyset lists walk page to page by cursor; a jump to
 * page N reads from whichever end is nearer, skipping at most this many index entries (a few
 * milliseconds), so any page of a 100,000-row list is one jump away.
 */
export const MAX_JUMP_OFFSET = 50_000;

/** The rows of page `page` (1-based) of `total` rows, read from the nearer end: the offset and whether backwards. */
export function jumpWindow(page: number, pageSize: number, total: number): { offset: number; limit: number; fromEnd: boolean } | null {
  const start = (page - 1) * pageSize;
  if (start >= total) return null;
  const end = Math.min(total, start + pageSize);
  const fromEnd = total - end < start;
  const offset = fromEnd ? total - end : start;
  if (offset > MAX_JUMP_OFFSET) return null;
  return { offset, limit: end - start, fromEnd };
}
