// Personal data shown masked by default (PIPL): 370102********1234, 138****5678.

export function maskIdNumber(id: string | null | undefined): string {
  if (!id) return "";
  if (id.length < 10) return "*".repeat(id.length);
  return `${id.slice(0, 6)}${"*".repeat(id.length - 10)}${id.slice(-4)}`;
}

export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return "";
  if (phone.length < 7) return "*".repeat(phone.length);
  return `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/**
 * A cell of a file as read (the import preview), masked when it looks like an ID number or a
 * mobile number, whatever column it is in: the clerk checks the columns' meaning, not the digits.
 */
export function maskPersonalCell(cell: string | null | undefined): string {
  if (!cell) return "";
  const t = cell.trim();
  if (/^\d{17}[\dXx]$|^\d{15}$/.test(t)) return maskIdNumber(t);
  if (/^(?:\+?86)?1\d{10}$/.test(t.replace(/[\s-]/g, ""))) return maskPhone(t);
  return cell;
}

/**
 * An edit form shows a stored ID number or phone masked (no unaudited unmasking in a form): the
 * masked text sent back means "keep the stored value"; anything else is a new value.
 */
export type Kept = { keep: string };
/** The field error for a phone whose masked text came back altered. */
export const PHONE_ALTERED = "请完整输入新的手机号（不能只修改部分号码）";
export const isKept = (v: unknown): v is Kept => typeof v === "object" && v !== null && "keep" in v;

/**
 * The value to store for a field that was shown masked. `altered`: masked text that is not the
 * stored value's mask (digits changed around the stars, or nothing stored): the user must type the
 * whole new number, never a part of it.
 */
export function resolveKept<T>(
  input: T | Kept,
  stored: string | null,
  mask: (v: string | null) => string,
): { value: T | string | null; altered: boolean } {
  if (!isKept(input)) return { value: input, altered: false };
  return { value: stored, altered: stored == null || input.keep !== mask(stored) };
}

const ID_IN_TEXT = /(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])/g;
const MOBILE_IN_TEXT = /(?<!\d)(\+?(?:86)?)(1[3-9]\d{9})(?!\d)/g;

/**
 * Free text (an import issue's reason, a cell shown beside it) with every ID number and mobile
 * number inside it masked: a message may quote a value, never whole.
 */
export function maskPersonalText(text: string | null | undefined): string {
  if (!text) return "";
  return text
    .replace(ID_IN_TEXT, (id) => maskIdNumber(id))
    .replace(MOBILE_IN_TEXT, (_m, prefix: string, phone: string) => `${prefix}${maskPhone(phone)}`);
}
