// The poster's print button (no inline scripts: CSP script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  for (const b of document.querySelectorAll("[data-print]")) b.addEventListener("click", () => window.print());
});
