/* What screen readers and keyboards need beyond Django's admin markup.
 *
 * 1. Autocomplete boxes named for screen readers.
 * Django's autocomplete (select2) draws a combobox named after the current choice only: empty
 * when nothing is chosen, and its search box has no name at all. Name each after the field's
 * label (or, in a table of inline rows, its column), whenever select2 draws or redraws one.
 *
 * 4. The search icon of Django's two-list picker (permissions, groups) carries the box's name as an
 *    aria-label on a plain span, which ARIA does not allow: it becomes an image of that name.
 *
 * 3. Django draws yes/no icons with alt="True", "False" or "None"; they are read in Vietnamese.
 *
 * 2. A table wider than the screen (inline rows on a phone, a report's tables) scrolls sideways: it gets a name and
 *    a place in the tab order, so it can be scrolled from the keyboard.
 */
"use strict";
(function () {
    function fieldName(select) {
        if (select.getAttribute("aria-label")) {
            return select.getAttribute("aria-label");
        }
        const label = select.id && document.querySelector('label[for="' + select.id + '"]');
        return label ? label.textContent.replace(/[:*]\s*$/, "").trim() : "";
    }

    function nameBoxes(container) {
        const select = container.previousElementSibling;
        if (!select || select.tagName !== "SELECT") {
            return;
        }
        const name = fieldName(select);
        if (!name) {
            return;
        }
        container.querySelectorAll('[role="combobox"], .select2-selection').forEach(function (box) {
            const shown = box.querySelector(".select2-selection__rendered");
            const choice = shown ? shown.textContent.trim() : "";
            box.removeAttribute("aria-labelledby");
            box.setAttribute("aria-label", choice ? name + ": " + choice : name);
        });
        container.querySelectorAll('.select2-selection__rendered[role="textbox"]').forEach(function (shown) {
            shown.setAttribute("aria-label", name);
        });
        container.querySelectorAll(".select2-search__field").forEach(function (field) {
            field.setAttribute("aria-label", name);
        });
    }

    function nameAll(root) {
        (root || document).querySelectorAll(".select2-container").forEach(nameBoxes);
        (root || document).querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
            icon.setAttribute("role", "img");
        });
    }

    function scrollableByKeyboard() {
        document.querySelectorAll(".inline-group, #changelist .results, .table-scroll, .report-doc table.figures").forEach(function (region) {
            if (region.scrollWidth > region.clientWidth && !region.hasAttribute("tabindex")) {
                const heading = region.querySelector("h2, caption");
                region.setAttribute("tabindex", "0");
                region.setAttribute("role", "region");
                if (heading && !region.hasAttribute("aria-label")) {
                    region.setAttribute("aria-label", heading.textContent.trim());
                }
            }
        });
    }

    const ICON_WORDS = {
        vi: {"True": "Có", "False": "Không", "None": "Không rõ"},
        en: {"True": "Yes", "False": "No", "None": "Unknown"},
    };

    function nameIcons() {
        const words = ICON_WORDS[(document.documentElement.lang || "vi").slice(0, 2)] || ICON_WORDS.vi;
        document.querySelectorAll('img[alt="True"], img[alt="False"], img[alt="None"]').forEach(function (icon) {
            icon.alt = words[icon.alt];
        });
    }

    document.addEventListener("DOMContentLoaded", function () {
        nameIcons();
        nameAll(document);
        scrollableByKeyboard();
        // Named as soon as select2 draws (the observer runs before anything else reads the page;
        // it watches children only, so setting the names does not wake it again).
        new MutationObserver(function () {
            nameAll(document);
        }).observe(document.body, {childList: true, subtree: true});
    });
})();
