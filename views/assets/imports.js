// Live progress of an import: polls the JSON endpoint and updates the bar; reloads when done.
(() => {
  const box = document.getElementById("import-progress");
  if (!box) return;
  const url = box.getAttribute("data-progress-url");
  const bar = document.getElementById("import-bar");
  const text = document.getElementById("import-progress-text");
  const fmt = (n) => Number(n).toLocaleString("zh-CN");
  const tick = async () => {
    try {
      const res = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!res.ok) return;
      const p = await res.json();
      if (p.phase === "done") {
        window.location.reload();
        return;
      }
      bar.max = p.totalBytes || 1;
      bar.value = p.bytesDone;
      if (p.phase === "applying") text.textContent = `已读取 ${fmt(p.rowsDone)} 行，正在写入数据库…`;
      else {
        let t = `已读取 ${fmt(p.rowsDone)} 行`;
        if (p.rowsPerSecond) t += `，每秒 ${fmt(p.rowsPerSecond)} 行`;
        if (p.secondsLeft != null) t += `，预计还需 ${p.secondsLeft} 秒`;
        text.textContent = t;
      }
    } catch {
      // network hiccup: try again at the next tick
    }
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
})();
