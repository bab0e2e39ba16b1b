// Starts NHS.UK frontend's components (header menu, error summary focus, password
// "Show" buttons, radios and checkboxes...). Loaded as a module from base.html: the
// content security policy allows no inline script, so the classes NHS.UK's page
// template sets inline are set here. Module scripts only run in browsers that
// nhsuk-frontend supports, which is what "nhsuk-frontend-supported" means.
import { initAll } from "../nhsuk/js/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// Pages with work still pending (reports, exports) check again by themselves, until the
// reader presses "Stop checking". Without JavaScript the "Check again" link does the same.
const pending = document.querySelector("[data-auto-refresh]");
if (pending) {
  const seconds = Math.max(2, Number(pending.dataset.autoRefresh) || 5);
  const note = pending.querySelector(".lpc-auto-refresh-note");
  const timer = window.setTimeout(() => window.location.reload(), seconds * 1000);
  if (note) {
    note.hidden = false;
    note.querySelector("[data-auto-refresh-stop]").addEventListener("click", () => {
      window.clearTimeout(timer);
      note.hidden = true;
    });
  }
}
