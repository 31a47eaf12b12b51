// Live progress of an import: polls the JSON endpoint and updates the bar; reloads when done.
// A failed poll (server busy, network hiccup) is retried with a growing pause and a note on the
// page; only a signed-out session stops the polling, since no retry can fix that.
(() => {
  const box = document.getElementById("import-progress");
  if (!box) return;
  const url = box.getAttribute("data-progress-url");
  const bar = document.getElementById("import-bar");
  const text = document.getElementById("import-progress-text");
  const fmt = (n) => Number(n).toLocaleString("zh-CN");
  let failures = 0;
  const again = (ms) => setTimeout(tick, ms);
  const failed = () => {
    failures += 1;
    if (failures >= 3) text.textContent = `暂时无法获取进度（已重试 ${failures} 次），导入仍在服务器上进行，稍后自动重试…`;
    again(Math.min(1000 * 2 ** Math.min(failures, 4), 15000));
  };
  async function tick() {
    let res;
    try {
      res = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    } catch {
      failed();
      return;
    }
    const json = (res.headers.get("content-type") || "").includes("application/json");
    if (res.status === 401 || res.status === 403 || (res.ok && !json)) {
      // Signed out (the answer is the sign-in page): the import goes on, the page cannot follow it.
      text.textContent = "登录已失效，无法继续显示进度。导入仍在服务器上进行，请重新登录后打开本页查看结果。";
      return;
    }
    if (!res.ok) {
      failed();
      return;
    }
    let p;
    try {
      p = await res.json();
    } catch {
      failed();
      return;
    }
    failures = 0;
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
    again(1000);
  }
  again(1000);
})();
