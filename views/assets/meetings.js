// The meeting form: filter the branch's list by name as one types (the list works without it).
(() => {
  const input = document.getElementById("roster-search");
  const list = document.getElementById("roster");
  if (!input || !list) return;
  input.addEventListener("input", () => {
    const q = input.value.trim();
    for (const li of list.querySelectorAll("li")) li.hidden = q !== "" && !(li.dataset.name ?? "").includes(q);
  });
})();
