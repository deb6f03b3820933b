// Keyboard focus after an HTMX swap: a swapped form block replaces the element that held
// focus, so move focus to the first field with an error, or else to the block's new status
// line, instead of dropping it on the page's <body>.
document.addEventListener("htmx:afterSettle", (event) => {
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  const selector = source && source.getAttribute("hx-target");
  if (!selector || selector === "this") return;
  const block = document.querySelector(selector);
  if (!block) return;
  let target = block.querySelector('[aria-invalid="true"]');
  if (target && target.tagName === "FIELDSET") target = target.querySelector("input");
  if (!target) target = block.querySelector('[role="status"], [role="alert"]');
  if (!target) return;
  if (!target.matches("input, select, textarea, button, a[href]")) target.tabIndex = -1;
  target.focus();
});

// An HTMX request that fails (403, 404, 500, no network) swaps nothing; say so beside the
// form instead of leaving the person wondering whether it worked.
function showRequestError(event, message) {
  const form = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!form || !form.isConnected) return;
  let note = form.querySelector(":scope > .request-error");
  if (!note) {
    note = document.createElement("p");
    note.className = "form-error request-error";
    note.setAttribute("role", "alert");
    form.prepend(note);
  }
  note.textContent = message;
}
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  showRequestError(event,
    status === 403 ? "You are not allowed to do that." :
    status === 404 ? "This is no longer there, or you can no longer see it." :
    "Something went wrong. Please try again.");
});
document.addEventListener("htmx:sendError", (event) => {
  showRequestError(event, "Waggle could not be reached. Check your connection and try again.");
});
