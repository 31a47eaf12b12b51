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

/**
 * What in an answer would tell an attacker how the server is built: a stack line, an error class,
 * a path of the server or its modules, a template's source. Empty for the app's own pages.
 */
export function serverLeaks(text: string): string[] {
  const found: string[] = [];
  if (/^\s*at .+\(.+:\d+:\d+\)|^\s*at .+:\d+:\d+$|&nbsp;at /m.test(text)) found.push("a stack line");
  if (
    /\b(ReferenceError|TypeError|SyntaxError|RangeError|PayloadTooLargeError|UnsupportedMediaTypeError|BadRequestError|MulterError)\b/.test(
      text,
    )
  )
    found.push("an error class");
  if (text.includes(process.cwd()) || /\/work\/|\/home\/|\/tmp\/|\/app\/|node_modules|[\w-]+\.(ts|js|ejs):\d+/.test(text))
    found.push("a server path");
  if (/<%|%>|&lt;%/.test(text)) found.push("template source");
  return found;
}
