// Member list: a whole ID number or phone typed into the list's search box goes to the POST
// search instead, so that it never appears in a URL (the server redirects such URLs too).
(() => {
  const filters = document.getElementById("member-filters");
  const numberForm = document.getElementById("number-search");
  if (!filters || !numberForm) return;
  const q = filters.querySelector('input[name="q"]');
  const number = numberForm.querySelector('input[name="number"]');
  if (!q || !number) return;
  const personal = (v) => /^\d{17}[\dXx]$/.test(v) || /^\d{15}$/.test(v) || /^(\+?86)?1[3-9]\d{9}$/.test(v);
  filters.addEventListener("submit", (event) => {
    const value = q.value.replace(/\s+/g, "");
    if (!personal(value)) return;
    event.preventDefault();
    number.value = value;
    q.value = "";
    numberForm.submit();
  });
})();
