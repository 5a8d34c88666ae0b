// The task page: a progress bar kept up to date by polling the task's API URL until the task
// has finished, then its result or its problems. The Cancel button asks the API to stop it.

const bar = document.querySelector("[data-testid=task-progress]");
const text = document.querySelector("[data-testid=task-progress-text]");
const statusText = document.querySelector("[data-testid=task-status]");
const outcome = document.querySelector("[data-testid=task-outcome]");
const cancelForm = document.querySelector("[data-testid=task-cancel-form]");
const POLL_MS = 500;

let state = JSON.parse(document.getElementById("task-state").textContent);

function line(parent, content) {
  const p = document.createElement("p");
  p.textContent = content;
  parent.append(p);
  return p;
}

function show(next) {
  state = next;
  const { done, total, records } = state.progress;
  bar.max = Math.max(total, 1);
  bar.value = state.status === "succeeded" ? bar.max : done;
  const percent = Math.floor((100 * bar.value) / bar.max);
  const suggest = state.kind === "suggest";
  text.textContent = suggest ? `${percent}% · ${done} of ${total} article(s), ${records} suggestion(s)` : `${percent}% · ${records} record(s)`;
  statusText.textContent = state.status;
  cancelForm.hidden = state.finished;
  outcome.replaceChildren();
  if (state.status === "succeeded" && suggest) {
    const r = state.result;
    line(outcome, `${r.suggestions} pending suggestion(s) on ${r.articles} article(s); open an article to accept or reject them.`);
  } else if (state.status === "succeeded" && state.kind === "correction") {
    const r = state.result;
    const c = r.counts;
    line(outcome, `Revision ${r.revision}: ${c.unchanged} unchanged, ${c.moved} moved, ` +
      `${c.edited} edited, ${c.orphaned} orphaned.`);
    const link = document.createElement("a");
    link.href = r.page;
    link.textContent = "What changed, and where the claims went";
    line(outcome, "").append(link);
  } else if (state.status === "succeeded") {
    const r = state.result;
    const verb = r.dry_run ? "Would import" : "Imported";
    line(outcome, `${verb} ${r.claims_created} claim(s): ${r.articles_created} new article(s), ` +
      `${r.articles_reused} reused; ${r.claims_skipped} already there skipped.`);
    if (r.guessed) line(outcome, `Format: ${r.guessed}.`);
    for (const [what, n] of Object.entries(r.skipped || {})) {
      line(outcome, `Not imported: ${n} ${what}.`);
    }
    for (const note of r.notes || []) line(outcome, `Note: ${note}.`);
  } else if (state.status === "failed" || state.status === "cancelled") {
    line(outcome, state.detail).className = "error";
    const list = document.createElement("ul");
    list.dataset.testid = "task-problems";
    for (const problem of state.problems || []) {
      const item = document.createElement("li");
      item.textContent = `${problem.where}: ${problem.message}`;
      list.append(item);
    }
    outcome.append(list);
  }
}

async function poll() {
  try {
    const response = await fetch(state.url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (response.ok) show(await response.json());
  } catch {
    // A network blip: try again at the next tick.
  }
  if (!state.finished) setTimeout(poll, POLL_MS);
}

cancelForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch(`${state.url}cancel/`, {
    method: "POST",
    headers: {
      Accept: "application/json",
      "X-CSRFToken": cancelForm.elements.csrfmiddlewaretoken.value,
    },
    credentials: "same-origin",
  });
  if (response.ok || response.status === 409) show(await response.json());
});

show(state);
if (!state.finished) setTimeout(poll, POLL_MS);
