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
