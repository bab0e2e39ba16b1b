// Starts NHS.UK frontend's components (header menu, error summary focus, password
// "Show" buttons, radios and checkboxes...). Loaded as a module from base.html: the
// content security policy allows no inline script, so the classes NHS.UK's page
// template sets inline are set here. Module scripts only run in browsers that
// nhsuk-frontend supports, which is what "nhsuk-frontend-supported" means.
import { initAll } from "../nhsuk/js/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
