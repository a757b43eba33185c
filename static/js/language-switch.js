/* The language switch sends its form when a language is chosen (no inline handler: the
 * Content-Security-Policy allows scripts from this site's files only). */
"use strict";
document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-submit-on-change]")) {
        event.target.form.submit();
    }
});
