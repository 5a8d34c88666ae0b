// The API docs (templates/drf_spectacular/swagger_ui.html): Swagger UI titles the page with
// an <h1>, then skips to <h3> and <h4> (axe: heading-order), and leaves its title block outside
// any landmark (axe: region). Screen readers are told the levels the outline means, and the
// title block is a labelled region; re-applied as Swagger UI renders.
const LEVELS = { "h3.opblock-tag": "2", "#swagger-ui h4": "3" };

const fix = () => {
  for (const [selector, level] of Object.entries(LEVELS)) {
    for (const h of document.querySelectorAll(`${selector}:not([aria-level])`)) {
      h.setAttribute("role", "heading");
      h.setAttribute("aria-level", level);
    }
  }
  for (const block of document.querySelectorAll(".information-container:not([role])")) {
    block.setAttribute("role", "region");
    block.setAttribute("aria-label", "About this API");
  }
};
new MutationObserver(fix).observe(document.getElementById("swagger-ui"), {
  childList: true,
  subtree: true,
});
fix();
