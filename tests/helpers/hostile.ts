// What a hostile user types into names, addresses, reasons and notes (issue 6). Each fits the
// 40-character name fields. Shared by the HTTP test and the browser test.

export const PAYLOADS = {
  script: "<script>alert(1)</script>",
  img: '"><img src=x onerror=alert(1)>',
  quotes: `O'Brien "引号" \`反引号\` ''""`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template placeholder is the payload
  mustache: "{{7*7}}${7*7}",
  ejs: "<%= 7*7 %><%- 7*7 %>",
  sql: "'; DROP TABLE members; --",
  emoji: "骑手😀👨‍👩‍👧🇨🇳",
  rareCjk: "张𠮷𪚥",
} as const;

/** EJS's escaping of <%= %>: the exact text a page must contain for a value. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c]!);
}
